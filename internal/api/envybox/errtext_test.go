package envybox_test

// Envybox's error texts, word for word as its documents print them, which
// the tests expect on the wire (the dialect's own table is errors.go's).
const (
	wantInvalidRequest   = "Неверный request"
	wantClientNotFound   = "Клиент не найден"
	wantFieldNotFound    = "Поле не найдено"
	wantReportNotFound   = "Статистика не найдена"
	wantPipelineNotFound = "Воронка не найдена"
)
