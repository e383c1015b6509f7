package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The workspace speaks English and Russian. A user's pick (the language
// cookie) wins; otherwise the browser's Accept-Language chooses; Russian
// is the fallback, as crmd's accounts start in Moscow time and roubles.

// languages are the languages the workspace speaks, by their codes.
var languages = map[string]int{"en": 0, "ru": 1}

// fallbackLanguage is the language of a browser that names neither.
const fallbackLanguage = "ru"

// language picks the request's language.
func language(r *http.Request) string {
	if c, err := r.Cookie(languageCookie); err == nil {
		if _, ok := languages[c.Value]; ok {
			return c.Value
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks the workspace language an Accept-Language header
// prefers most (by q, then by order).
func acceptLanguage(header string) string {
	type choice struct {
		lang  string
		q     float64
		order int
	}
	var choices []choice
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if _, ok := languages[primary]; !ok {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > 0 {
			choices = append(choices, choice{primary, q, i})
		}
	}
	if len(choices) == 0 {
		return fallbackLanguage
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang
}

// catalog maps message keys to their English and Russian texts, in that
// order.
type catalog map[string][2]string

// catalogs are every screen's messages; a key is defined once.
var catalogs = []catalog{commonMessages, boardMessages, dealMessages, leadMessages, clientMessages, taskMessages, oauthMessages,
	settingsStructureMessages,
	settingsHookMessages, settingsIntegrationMessages, settingsStatsMessages,
	reportMessages,
	customerMessages, customerCardMessages, customerModeMessages,
	exportMessages,
	bulkMessages, orderMessages,
	importMessages,
	peopleMessages}

// messages is every catalog merged, built once.
var messages = func() catalog {
	out := catalog{}
	for _, c := range catalogs {
		for k, v := range c {
			if _, dup := out[k]; dup {
				panic("web: message " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}()

// translate is a key's text in a language; a missing key shows as itself,
// which the tests catch.
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m[languages[lang]]
}

var commonMessages = catalog{
	"app.name":                  {"crmd", "crmd"},
	"nav.leads":                 {"Inbox", "Неразобранное"},
	"nav.deals":                 {"Deals", "Сделки"},
	"nav.clients":               {"Clients", "Клиенты"},
	"nav.tasks":                 {"Tasks", "Задачи"},
	"nav.customers":             {"Customers", "Покупатели"},
	"nav.reports":               {"Reports", "Отчёты"},
	"nav.settings":              {"Settings", "Настройки"},
	"settings.nav.profile":      {"My profile", "Мой профиль"},
	"settings.nav.account":      {"Account", "Аккаунт"},
	"settings.nav.pipelines":    {"Pipelines", "Воронки"},
	"settings.nav.fields":       {"Fields", "Поля"},
	"settings.nav.users":        {"Users", "Пользователи"},
	"settings.nav.limits":       {"Request limits", "Лимиты запросов"},
	"settings.nav.widget":       {"Website widget", "Виджет для сайта"},
	"settings.nav.webhooks":     {"Webhooks", "Вебхуки"},
	"settings.nav.integrations": {"Integrations", "Интеграции"},
	"settings.nav.statistics":   {"Custom statistics", "Своя статистика"},
	"settings.nav.import":       {"Import", "Импорт"},
	"nav.main":                  {"Main menu", "Главное меню"},
	"nav.skip":                  {"Skip to content", "Перейти к содержимому"},
	"nav.logout":                {"Sign out", "Выйти"},
	"nav.api_docs":              {"API documents", "Документация API"},
	"nav.language":              {"Language", "Язык"},
	"lang.en":                   {"English", "English"},
	"lang.ru":                   {"Русский", "Русский"},
	"lang.switch":               {"Switch", "Сменить"},
	"login.title":               {"Sign in", "Вход"},
	"login.login":               {"Email or user ID", "Email или ID пользователя"},
	"login.password":            {"Password", "Пароль"},
	"login.submit":              {"Sign in", "Войти"},
	"login.wrong":               {"Wrong login or password.", "Неверный логин или пароль."},
	"login.too_many":            {"Too many failed attempts. Try again later.", "Слишком много неудачных попыток. Попробуйте позже."},
	"login.hint":                {"The password is the one set with crmd user password (the first administrator's is printed when crmd starts on an empty database).", "Пароль задаётся командой crmd user password (пароль первого администратора crmd печатает при первом запуске)."},
	"error.title":               {"Error", "Ошибка"},
	"error.page_not_found":      {"Page not found.", "Страница не найдена."},
	"error.internal":            {"Something went wrong on the server. The error has been logged.", "На сервере произошла ошибка. Она записана в журнал."},
	"error.signed_out":          {"You are signed out. Sign in again.", "Вы вышли из системы. Войдите снова."},
	"error.unknown_language":    {"Unknown language.", "Неизвестный язык."},
	"error.back":                {"Back to deals", "Вернуться к сделкам"},
	"error.bad_id":              {"The address names no record.", "В адресе нет номера записи."},
	"common.save":               {"Save", "Сохранить"},
	"common.cancel":             {"Cancel", "Отмена"},
	"common.search":             {"Search", "Поиск"},
	"common.apply":              {"Apply", "Применить"},
	"common.reset":              {"Reset", "Сбросить"},
	"common.none":               {"—", "—"},
	"common.saved":              {"Saved", "Сохранено"},
	"common.failed":             {"Not saved", "Не сохранено"},
	"common.name":               {"Name", "Название"},
	"common.created":            {"Created", "Создано"},
	"common.responsible":        {"Responsible", "Ответственный"},
	"common.anyone":             {"Anyone", "Любой"},
	"common.nobody":             {"Nobody", "Никто"},
	"common.phone":              {"Phone", "Телефон"},
	"common.email":              {"Email", "Email"},
	"common.client":             {"Client", "Клиент"},
	"common.company":            {"Company", "Компания"},
	"common.price":              {"Budget", "Бюджет"},
	"common.stage":              {"Stage", "Этап"},
	"common.pipeline":           {"Pipeline", "Воронка"},
	"common.tags":               {"Tags", "Теги"},
	"common.from":               {"From", "С"},
	"common.to":                 {"To", "По"},
	"common.previous":           {"Previous", "Назад"},
	"common.next":               {"Next", "Вперёд"},
	"common.page_of":            {"%d–%d of %s", "%d–%d из %s"},
	"common.nothing":            {"Nothing here yet.", "Здесь пока ничего нет."},
	"common.live_error":         {"Live updates paused; reload the page.", "Обновления приостановлены; перезагрузите страницу."},
}
