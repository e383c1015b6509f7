package amocrm

import (
	"net/http"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// eventType is one entry of GET /api/v4/events/types (core §7.7): its key,
// a stable number and its names.
type eventType struct {
	key    string
	code   int
	en, ru string
}

// eventTypes are the event types of core §7.4, every one amoCRM documents
// (crmd writes a subset; a dictionary lists them all). The numbers of
// lead_added (1) and lead_deleted (7) are the documents'; the others are
// crmd's, assigned once in this order and never to be renumbered.
// custom_field_{ID}_value_changed is a filter alias, not a type of its own.
var eventTypes = []eventType{
	{"lead_added", 1, "New deal", "Новая сделка"},
	{"contact_added", 2, "New contact", "Новый контакт"},
	{"company_added", 3, "New company", "Новая компания"},
	{"customer_added", 4, "New customer", "Новый покупатель"},
	{"task_added", 5, "New task", "Новая задача"},
	{"lead_status_changed", 6, "Deal stage changed", "Изменение этапа продажи"},
	{"lead_deleted", 7, "Deal deleted", "Сделка удалена"},
	{"contact_deleted", 8, "Contact deleted", "Контакт удалён"},
	{"company_deleted", 9, "Company deleted", "Компания удалена"},
	{"customer_deleted", 10, "Customer deleted", "Покупатель удалён"},
	{"task_deleted", 11, "Task deleted", "Задача удалена"},
	{"lead_restored", 12, "Deal restored", "Сделка восстановлена"},
	{"contact_restored", 13, "Contact restored", "Контакт восстановлен"},
	{"company_restored", 14, "Company restored", "Компания восстановлена"},
	{"lead_linked", 15, "Deal linked", "Прикреплена сделка"},
	{"lead_unlinked", 16, "Deal unlinked", "Откреплена сделка"},
	{"contact_linked", 17, "Contact linked", "Прикреплён контакт"},
	{"contact_unlinked", 18, "Contact unlinked", "Откреплён контакт"},
	{"company_linked", 19, "Company linked", "Прикреплена компания"},
	{"company_unlinked", 20, "Company unlinked", "Откреплена компания"},
	{"customer_linked", 21, "Customer linked", "Прикреплён покупатель"},
	{"customer_unlinked", 22, "Customer unlinked", "Откреплён покупатель"},
	{"customer_status_changed", 23, "Customer stage changed", "Изменение этапа покупателя"},
	{"task_completed", 24, "Task completed", "Задача выполнена"},
	{"task_type_changed", 25, "Task type changed", "Изменён тип задачи"},
	{"task_text_changed", 26, "Task text changed", "Изменён текст задачи"},
	{"task_deadline_changed", 27, "Task deadline changed", "Изменён срок задачи"},
	{"task_result_added", 28, "Task result added", "Результат по задаче"},
	{"incoming_call", 29, "Incoming call", "Входящий звонок"},
	{"outgoing_call", 30, "Outgoing call", "Исходящий звонок"},
	{"incoming_chat_message", 31, "Incoming chat message", "Входящее сообщение"},
	{"outgoing_chat_message", 32, "Outgoing chat message", "Исходящее сообщение"},
	{"entity_direct_message", 33, "Direct message", "Сообщение внутреннего чата"},
	{"incoming_sms", 34, "Incoming SMS", "Входящее SMS"},
	{"outgoing_sms", 35, "Outgoing SMS", "Исходящее SMS"},
	{"entity_tag_added", 36, "Tag added", "Теги добавлены"},
	{"entity_tag_deleted", 37, "Tag deleted", "Теги убраны"},
	{"entity_linked", 38, "Linked", "Прикрепление"},
	{"entity_unlinked", 39, "Unlinked", "Открепление"},
	{"sale_field_changed", 40, "Budget changed", "Изменение поля «Бюджет»"},
	{"name_field_changed", 41, "Name changed", "Изменение поля «Название»"},
	{"ltv_field_changed", 42, "LTV changed", "Сумма покупок"},
	{"custom_field_value_changed", 43, "Field value changed", "Изменение поля"},
	{"entity_responsible_changed", 44, "Responsible changed", "Ответственный изменён"},
	{"robot_replied", 45, "Robot replied", "Ответ робота"},
	{"intent_identified", 46, "Intent identified", "Тема вопроса определена"},
	{"nps_rate_added", 47, "NPS rate added", "Новая оценка NPS"},
	{"link_followed", 48, "Link followed", "Переход по ссылке"},
	{"transaction_added", 49, "Purchase added", "Добавлена покупка"},
	{"common_note_added", 50, "Note added", "Новое примечание"},
	{"common_note_deleted", 51, "Note deleted", "Примечание удалено"},
	{"attachment_note_added", 52, "File added", "Добавлен новый файл"},
	{"targeting_in_note_added", 53, "Added to targeting", "Добавление в ретаргетинг"},
	{"targeting_out_note_added", 54, "Removed from targeting", "Удаление из ретаргетинга"},
	{"geo_note_added", 55, "Geolocation note added", "Новое примечание с гео-меткой"},
	{"service_note_added", 56, "System note added", "Новое системное примечание"},
	{"site_visit_note_added", 57, "Site visit", "Заход на сайт"},
	{"message_to_cashier_note_added", 58, "Message to cashier", "Сообщение кассиру"},
	{"key_action_completed", 59, "Key action completed", "Ключевое действие"},
	{"entity_merged", 60, "Merged", "Выполнено объединение"},
}

// knownEventType reports whether key is an event type or a
// custom_field_{ID}_value_changed alias (then with its field id).
func knownEventType(key string) (fieldID int64, ok bool) {
	for _, t := range eventTypes {
		if t.key == key {
			return 0, true
		}
	}
	if mid, found := strings.CutPrefix(key, "custom_field_"); found {
		if num, found := strings.CutSuffix(mid, "_value_changed"); found {
			if id, err := parsePositive(num); err == nil {
				return id, true
			}
		}
	}
	return 0, false
}

type v4EventType struct {
	Key  string `json:"key"`
	Type int    `json:"type"`
	Lang string `json:"lang"`
}

// listEventTypes serves GET /api/v4/events/types: language_code ru gives
// Russian names, en (the default: crmd keeps no user language) and es/pt
// English ones, for which crmd has no translation.
func (h *handler) listEventTypes(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	lang := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("language_code")))
	switch lang {
	case "", "en", "ru", "es", "pt":
	default:
		return violationsErr([]crm.Violation{{Path: "language_code", Code: crm.ViolationChoice, Detail: "language_code: en, es, ru or pt."}})
	}
	items := make([]v4EventType, len(eventTypes))
	for i, t := range eventTypes {
		items[i] = v4EventType{Key: t.key, Type: t.code, Lang: t.en}
		if lang == "ru" {
			items[i].Lang = t.ru
		}
	}
	writeHAL(w, http.StatusOK, map[string]any{"_total_items": len(items), "_links": selfLink(r, r.URL.RequestURI()),
		"_embedded": map[string]any{"events_types": items}})
	return nil
}
