package envybox

import (
	"fmt"

	"github.com/crmd/crmd/internal/crm"
)

// ruleTexts words the domain's validation rules as Envybox shows them after
// "Неверный request: path: ". A template's verbs take the violation's Args
// in order (%[1]s is the first). A rule missing here is answered by the
// violation's English detail.
var ruleTexts = map[crm.Rule]string{
	// Clients.
	crm.RuleOffsetNegative:      "offset не может быть отрицательным",
	crm.RuleClientNameRequired:  "Не указано имя клиента",
	crm.RulePhoneDigits:         "Телефон должен содержать цифры",
	crm.RuleEmailInvalid:        "Email указан неверно",
	crm.RuleFieldValueString:    "Значение поля должно быть строкой",
	crm.RuleClientNameBlank:     "Имя клиента не может быть пустым",
	crm.RuleClientTimeZone:      "Часовой пояс должен иметь вид UTC+3:00",
	crm.RuleContactNameRequired: "Не указано имя контакта",
	crm.RuleContactPhoneOrEmail: "Укажите телефон или email контакта",
	crm.RuleBirthdayFormat:      "Дата рождения должна быть в формате YYYY-MM-DD",
	crm.RuleWorkPhoneRequired:   "Не указан номер рабочего телефона",
	crm.RuleContactKindUnknown:  "Неизвестный тип контакта %[1]s",
	crm.RuleCompanyNameRequired: "Не указано сокращённое наименование компании",
	// Requisites.
	crm.RuleINNRequired:                "Не указан ИНН",
	crm.RuleINNLength:                  "ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП, физическое лицо)",
	crm.RuleINNCheckDigit:              "ИНН указан неверно: не сходится контрольная цифра",
	crm.RuleINNCheckDigits:             "ИНН указан неверно: не сходятся контрольные цифры",
	crm.RuleKPPLength:                  "КПП должен состоять из 9 цифр",
	crm.RuleOGRNLength:                 "ОГРН должен состоять из 13 цифр, ОГРНИП — из 15 цифр",
	crm.RuleOGRNCheckDigit:             "ОГРН указан неверно: не сходится контрольная цифра",
	crm.RuleOGRNIPCheckDigit:           "ОГРНИП указан неверно: не сходится контрольная цифра",
	crm.RuleBIKLength:                  "БИК должен состоять из 9 цифр",
	crm.RulePaymentAccountLength:       "Расчётный счёт должен состоять из 20 цифр",
	crm.RulePaymentAccountKey:          "Расчётный счёт не соответствует БИК: не сходится контрольный ключ",
	crm.RuleCorrespondentAccountLength: "Корреспондентский счёт должен состоять из 20 цифр",
	crm.RuleCorrespondentAccountPrefix: "Корреспондентский счёт должен начинаться с 301",
	crm.RuleCorrespondentAccountKey:    "Корреспондентский счёт не соответствует БИК: не сходится контрольный ключ",
	// Logs.
	crm.RuleLogType:              "можно добавить только логи типов %[1]s (звонок) и %[2]s (комментарий)",
	crm.RuleCallDirection:        "direction: 1 (входящий), 2 (исходящий) или 3 (обратный звонок)",
	crm.RuleCallStatus:           "status: от 0 до 7",
	crm.RuleCallPhoneRequired:    "%[1]s: номер телефона обязателен",
	crm.RuleLogTooLong:           "%[1]s: не длиннее %[2]s символов",
	crm.RuleRecordLinkURL:        "record_link: нужна ссылка http:// или https://",
	crm.RuleDurationBillNegative: "duration_bill: не может быть отрицательной",
	crm.RuleCommentRequired:      "comment: текст комментария обязателен",
	// The deal filter.
	crm.RuleDateSelectRequired:     "не указан dateSelectType",
	crm.RuleDateSelectChoice:       "dateSelectType должен быть одним из: %[1]s",
	crm.RuleFilterElementUnknown:   "inputs: неизвестный тип элемента",
	crm.RuleFilterFieldNotFound:    "Поле не найдено",
	crm.RuleDateFormat:             "дата должна быть в формате YYYY-MM-DD: %[1]s",
	crm.RuleDateStartRequired:      "для dateType %[1]s нужна дата start",
	crm.RulePeriodDatesRequired:    "для dateType period нужны даты start и end",
	crm.RulePeriodEndBeforeStart:   "дата end раньше даты start",
	crm.RuleDateTypeRequired:       "не указан dateType",
	crm.RuleDateTypeChoice:         "dateType должен быть одним из: %[1]s",
	crm.RuleFilterValueString:      "значение должно быть строкой",
	crm.RuleTextComparison:         "сравнение %[1]s неприменимо к текстовому полю",
	crm.RuleRegionObject:           "регион должен быть объектом {timezone, text, id}",
	crm.RuleCustomDateTypeDateOnly: "customDateType применим только к полям типа дата",
	crm.RuleSelectValueEnum:        "значение списка должно быть id варианта",
	crm.RuleCheckboxValue:          "значение флажка должно быть 1 или 0",
	crm.RuleFilterValueNumber:      "значение должно быть числом",
	crm.RuleNumberComparison:       "сравнение должно быть equally или range",
	crm.RuleDateStrings:            "даты должны быть строками YYYY-MM-DD",
	crm.RuleDateFieldObject:        "значение поля даты должно быть объектом {field, start, end}",
	crm.RuleCustomDateTypeChoice:   "customDateType должен быть одним из: %[1]s",
}

// violationDetail is the violation's detail as Envybox words it: its rule's
// template filled with its args, or its own detail for a rule not in the
// table.
func violationDetail(v crm.Violation) string {
	t, ok := ruleTexts[v.Rule]
	if !ok || v.Rule == "" {
		return v.Detail
	}
	if len(v.Args) == 0 {
		return t
	}
	args := make([]any, len(v.Args))
	for i, a := range v.Args {
		args[i] = a
	}
	return fmt.Sprintf(t, args...)
}
