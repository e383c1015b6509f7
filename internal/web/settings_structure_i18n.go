package web

import (
	"regexp"
	"slices"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// settingsStructureMessages are the texts of the profile, account,
// pipeline and field settings.
var settingsStructureMessages = catalog{

	"profile.name":          {"Name", "Имя"},
	"profile.role":          {"Role", "Роль"},
	"profile.role_admin":    {"Administrator", "Администратор"},
	"profile.role_member":   {"Member", "Сотрудник"},
	"profile.id":            {"User ID (sign-in login)", "ID пользователя (логин для входа)"},
	"profile.name_hint":     {"An administrator changes names on the users screen or with crmd user.", "Имя меняет администратор на экране пользователей или командой crmd user."},
	"profile.password":      {"Change password", "Смена пароля"},
	"profile.current":       {"Current password", "Текущий пароль"},
	"profile.new":           {"New password", "Новый пароль"},
	"profile.repeat":        {"Repeat the new password", "Повторите новый пароль"},
	"profile.password_hint": {"At least %d characters, the same rule as crmd user password.", "Не короче %d символов, как в crmd user password."},
	"profile.change":        {"Change password", "Сменить пароль"},
	"profile.mismatch":      {"The new password and its repeat differ.", "Новый пароль и повтор не совпадают."},
	"profile.wrong_current": {"The current password is wrong.", "Текущий пароль указан неверно."},

	"account.name":           {"Account name", "Название аккаунта"},
	"account.time_zone":      {"Time zone", "Часовой пояс"},
	"account.time_zone_hint": {"An IANA name such as Europe/Moscow: the days of tasks and reports, and the local times Envybox and UIS speak.", "Имя IANA, например Europe/Moscow: по нему считаются дни задач и отчётов и местное время в Envybox и UIS."},
	"account.currency":       {"Currency", "Валюта"},
	"account.currency_hint":  {"An ISO 4217 code such as RUB or USD. Amounts are not converted.", "Код ISO 4217, например RUB или USD. Суммы не пересчитываются."},
	"account.subdomain":      {"Subdomain", "Поддомен"},
	"account.id":             {"Account ID", "ID аккаунта"},

	"pipelines.main":                  {"main", "основная"},
	"pipelines.make_main":             {"Make main", "Сделать основной"},
	"pipelines.deals":                 {"Deals: %d", "Сделок: %d"},
	"pipelines.up":                    {"Move up", "Выше"},
	"pipelines.down":                  {"Move down", "Ниже"},
	"pipelines.pipeline_up":           {"Move pipeline %s up", "Поднять воронку %s"},
	"pipelines.pipeline_down":         {"Move pipeline %s down", "Опустить воронку %s"},
	"pipelines.stage_up":              {"Move stage %s up", "Поднять этап %s"},
	"pipelines.stage_down":            {"Move stage %s down", "Опустить этап %s"},
	"pipelines.name":                  {"Pipeline name", "Название воронки"},
	"pipelines.rename":                {"Rename", "Переименовать"},
	"pipelines.stages_of":             {"Stages of %s", "Этапы воронки %s"},
	"pipelines.stage_name":            {"Stage name", "Название этапа"},
	"pipelines.color":                 {"Colour", "Цвет"},
	"pipelines.color_of":              {"Colour of stage %s", "Цвет этапа %s"},
	"pipelines.current_color":         {"Current colour %s", "Текущий цвет %s"},
	"pipelines.delete_stage":          {"Delete…", "Удалить…"},
	"pipelines.delete_stage_named":    {"Delete stage %s", "Удалить этап %s"},
	"pipelines.move_deals":            {"Move its %d deals to", "Перенести его сделки (%d) в"},
	"pipelines.won":                   {"Won: after the open stages", "Успех: после открытых этапов"},
	"pipelines.lost":                  {"Lost: always last", "Отказ: всегда последний"},
	"pipelines.new_stage":             {"New stage", "Новый этап"},
	"pipelines.add_stage":             {"Add stage", "Добавить этап"},
	"pipelines.delete_pipeline":       {"Delete pipeline…", "Удалить воронку…"},
	"pipelines.delete_pipeline_named": {"Delete pipeline %s", "Удалить воронку %s"},
	"pipelines.move_pipeline_deals":   {"Move its %d deals to", "Перенести её сделки (%d) в"},
	"pipelines.closed_follow":         {"Won and lost deals go to that pipeline's won and lost stages.", "Успешные и проигранные сделки перейдут в этапы успеха и отказа той воронки."},
	"pipelines.create":                {"New pipeline", "Новая воронка"},
	"pipelines.stages":                {"Stages, one a line", "Этапы, по одному в строке"},
	"pipelines.stages_hint":           {"The first is the stage new deals start in; the won and lost stages are added.", "Первый — этап, с которого начинаются новые сделки; этапы успеха и отказа добавятся сами."},
	"pipelines.create_button":         {"Create pipeline", "Создать воронку"},
	"pipelines.cannot_move":           {"It cannot move that way.", "Туда переместить нельзя."},
	"pipelines.bad_color":             {"Pick a colour from the palette.", "Выберите цвет из палитры."},

	"fields.entities":           {"Entity", "Сущность"},
	"fields.entity.leads":       {"Deals", "Сделки"},
	"fields.entity.contacts":    {"Contacts / clients", "Контакты / клиенты"},
	"fields.entity.companies":   {"Companies", "Компании"},
	"fields.entity.customers":   {"Customers", "Покупатели"},
	"fields.entity.inbound":     {"Requests (Envybox leads)", "Заявки (Envybox)"},
	"fields.entity.segments":    {"Customer segments", "Сегменты покупателей"},
	"fields.list":               {"Fields of %s", "Поля: %s"},
	"fields.unknown_entity":     {"No such entity type.", "Такой сущности нет."},
	"fields.name":               {"Field name", "Название поля"},
	"fields.type":               {"Type", "Тип"},
	"fields.sort":               {"Order (sort)", "Порядок (sort)"},
	"fields.sort_hint":          {"Smaller comes first; empty puts the field last.", "Меньше — выше; пустое значение ставит поле в конец."},
	"fields.bad_sort":           {"The order must be a whole number.", "Порядок должен быть целым числом."},
	"fields.options":            {"Options", "Варианты"},
	"fields.option":             {"Option", "Вариант"},
	"fields.new_options":        {"Add options, one a line", "Добавить варианты, по одному в строке"},
	"fields.options_hint":       {"For select, multiselect and radio buttons: one option a line.", "Для списка, мультисписка и переключателя: по одному варианту в строке."},
	"fields.options_edit_hint":  {"Empty an option to delete it, and the values that chose it.", "Очистите вариант, чтобы удалить его вместе со значениями, где он выбран."},
	"fields.delete":             {"Delete…", "Удалить…"},
	"fields.delete_hint":        {"The field's values are deleted with it.", "Значения поля удалятся вместе с ним."},
	"fields.delete_named":       {"Delete field %s", "Удалить поле %s"},
	"fields.none":               {"No fields yet.", "Полей пока нет."},
	"fields.create":             {"New field", "Новое поле"},
	"fields.create_button":      {"Create field", "Создать поле"},
	"fields.type.text":          {"Text", "Текст"},
	"fields.type.numeric":       {"Number", "Число"},
	"fields.type.checkbox":      {"Checkbox", "Флаг"},
	"fields.type.select":        {"Select", "Список"},
	"fields.type.multiselect":   {"Multiselect", "Мультисписок"},
	"fields.type.date":          {"Date", "Дата"},
	"fields.type.url":           {"Link (URL)", "Ссылка"},
	"fields.type.date_time":     {"Date and time", "Дата и время"},
	"fields.type.textarea":      {"Long text", "Текстовая область"},
	"fields.type.radiobutton":   {"Radio buttons", "Переключатель"},
	"fields.type.streetaddress": {"Address", "Адрес"},
	"fields.type.smart_address": {"Structured address", "Адрес (по частям)"},
	"fields.type.multitext":     {"Multitext", "Мультитекст"},
}

// domainTexts word in Russian the domain's refusals the settings forms
// meet: crm words its errors in English for the APIs, whose clients
// expect amoCRM's texts, while a person on a Russian page should read
// Russian. A text not listed shows as crm words it. Numbers in a text are
// matched as (\d+) and carried over.
var domainTexts = []struct {
	en *regexp.Regexp
	ru string
}{
	{regexp.MustCompile(`^This value should not be blank\.$`), "Значение не должно быть пустым."},
	{regexp.MustCompile(`^This field is missing\.$`), "Поле не заполнено."},
	{regexp.MustCompile(`^The value you selected is not a valid choice\.$`), "Выбранное значение недопустимо."},
	{regexp.MustCompile(`^This value is too long\. It should have (\d+) characters or less\.$`), "Слишком длинное значение: не больше $1 символов."},
	{regexp.MustCompile(`^The password must have at least (\d+) characters\.$`), "Пароль должен быть не короче $1 символов."},
	{regexp.MustCompile(`^The time zone must be an IANA name`), "Часовой пояс — имя IANA, например Europe/Moscow или Asia/Yekaterinburg."},
	{regexp.MustCompile(`^The currency must be an ISO 4217 code`), "Валюта — код ISO 4217 из трёх заглавных латинских букв, например RUB или USD."},
	{regexp.MustCompile(`^A pipeline needs 1 to (\d+) open stages\.$`), "В воронке должно быть от 1 до $1 открытых этапов."},
	{regexp.MustCompile(`^Too many pipelines: an account can have at most (\d+)$`), "Слишком много воронок: в аккаунте их может быть не больше $1."},
	{regexp.MustCompile(`^Too many stages: a pipeline can have at most (\d+) open stages$`), "Слишком много этапов: в воронке не больше $1 открытых этапов."},
	{regexp.MustCompile(`^The order must be between 0 and (\d+)\.$`), "Порядок должен быть от 0 до $1."},
	{regexp.MustCompile(`^Only a stage without deals can be deleted$`), "Этап со сделками удаляется только с переносом сделок: выберите, куда их перенести."},
	{regexp.MustCompile(`^Only an empty pipeline can be deleted$`), "Воронка со сделками удаляется только с переносом сделок: выберите, куда их перенести."},
	{regexp.MustCompile(`^The last pipeline cannot be deleted$`), "Последнюю воронку удалить нельзя."},
	{regexp.MustCompile(`^The last open stage cannot be deleted$`), "Последний открытый этап удалить нельзя."},
	{regexp.MustCompile(`^Won and lost stages cannot be deleted$`), "Этапы успеха и отказа удалить нельзя."},
	{regexp.MustCompile(`^The order of a won or lost stage cannot change\.$`), "Этапы успеха и отказа не перемещаются."},
	{regexp.MustCompile(`^The deals must move to another stage\.$`), "Сделки нужно перенести в другой этап."},
	{regexp.MustCompile(`^The deals must move to an open stage of another pipeline\.$`), "Сделки нужно перенести в открытый этап другой воронки."},
	{regexp.MustCompile(`^The stage to move the deals to was not found\.$`), "Этап, куда переносить сделки, не найден."},
	{regexp.MustCompile(`^A pipeline that requests are bound to cannot be deleted$`), "Воронку, к которой привязаны заявки, удалить нельзя."},
	{regexp.MustCompile(`^A field of this type needs at least one enum\.$`), "Полю этого типа нужен хотя бы один вариант."},
	{regexp.MustCompile(`^Enum values must be unique\.$`), "Варианты не должны повторяться."},
	{regexp.MustCompile(`^A field with this code already exists\.$`), "Поле с таким кодом уже есть."},
	{regexp.MustCompile(`^Too many custom fields: \S+ can have at most (\d+)$`), "Слишком много полей: не больше $1."},
}

// domainText is a domain text in the page's language.
func domainText(v *view, s string) string {
	if v.Lang != "ru" {
		return s
	}
	for _, d := range domainTexts {
		if d.en.MatchString(s) {
			return d.en.ReplaceAllString(s, d.ru)
		}
	}
	return s
}

// settingsMessage is what a settings page says of a refused form: each
// violation's detail (not the APIs' "Request validation failed" before
// them), or the error's message, in the page's language where known.
func settingsMessage(v *view, err error) string {
	e, ok := crm.AsError(err)
	if !ok {
		return errorMessage(err)
	}
	var parts []string
	for _, vio := range e.Violations {
		if vio.Detail != "" && !slices.Contains(parts, domainText(v, vio.Detail)) {
			parts = append(parts, domainText(v, vio.Detail))
		}
	}
	if len(parts) == 0 {
		return domainText(v, errorMessage(err))
	}
	return strings.Join(parts, " ")
}
