package transfer

// exportWords are the words an export writes itself, English and Russian:
// the own columns' headers and the values of its status columns.
var exportWords = map[string][2]string{
	"col.id":              {"ID", "ID"},
	"col.name":            {"Name", "Название"},
	"col.phone":           {"Phone", "Телефон"},
	"col.email":           {"Email", "Email"},
	"col.comment":         {"Comment", "Комментарий"},
	"col.source":          {"Source", "Источник"},
	"col.status":          {"Status", "Статус"},
	"col.deals":           {"Deals", "Сделки"},
	"col.created":         {"Created", "Создано"},
	"col.closed":          {"Closed", "Закрыто"},
	"col.utm_source":      {"utm_source", "utm_source"},
	"col.utm_medium":      {"utm_medium", "utm_medium"},
	"col.utm_campaign":    {"utm_campaign", "utm_campaign"},
	"col.utm_content":     {"utm_content", "utm_content"},
	"col.utm_term":        {"utm_term", "utm_term"},
	"col.pipeline":        {"Pipeline", "Воронка"},
	"col.stage":           {"Stage", "Этап"},
	"col.price":           {"Budget", "Бюджет"},
	"col.client":          {"Client", "Клиент"},
	"col.responsible":     {"Responsible", "Ответственный"},
	"col.tags":            {"Tags", "Теги"},
	"col.next_task":       {"Next task", "Ближайшая задача"},
	"col.company":         {"Company", "Компания"},
	"col.next_price":      {"Next purchase amount", "Сумма следующей покупки"},
	"col.next_date":       {"Next purchase date", "Дата следующей покупки"},
	"col.ltv":             {"LTV", "LTV"},
	"col.purchases":       {"Purchases", "Покупок"},
	"col.average_check":   {"Average check", "Средний чек"},
	"col.due":             {"Due", "Срок"},
	"col.text":            {"Task", "Задача"},
	"col.belongs_to":      {"Belongs to", "Относится к"},
	"col.belongs_to_name": {"Record", "Запись"},
	"col.result":          {"Result", "Результат"},
	"status.new":          {"New", "Новая"},
	"status.taken":        {"Taken to work", "Взята в работу"},
	"status.closed":       {"Closed without a deal", "Закрыта без сделки"},
	"task.open":           {"Open", "Открыта"},
	"task.done":           {"Completed", "Выполнена"},
	"entity.leads":        {"Deal", "Сделка"},
	"entity.contacts":     {"Client", "Клиент"},
	"entity.companies":    {"Company", "Компания"},
	"entity.customers":    {"Customer", "Покупатель"},
	"yes":                 {"Yes", "Да"},
	"no":                  {"No", "Нет"},
}

// words is the export's vocabulary in lang ("ru", else English).
func words(lang string) map[string]string {
	i := 0
	if lang == "ru" {
		i = 1
	}
	out := make(map[string]string, len(exportWords))
	for k, v := range exportWords {
		out[k] = v[i]
	}
	return out
}
