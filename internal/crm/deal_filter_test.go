package crm

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// rangeText renders a resolved range as local times for comparison.
func rangeText(r Range, loc *time.Location) string {
	side := func(p *int64) string {
		if p == nil {
			return "open"
		}
		return time.Unix(*p, 0).In(loc).Format("2006-01-02 15:04:05")
	}
	return side(r.From) + " .. " + side(r.To)
}

func TestDealFilterPeriods(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Wednesday 2024-03-13 00:30 in Moscow is still Tuesday in UTC.
	now := time.Date(2024, 3, 12, 21, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		loc   *time.Location
		now   time.Time
		p     DatePeriod
		want  string
		error string
	}{
		{moscow, now, DatePeriod{Type: DateAll}, "open .. open", ""},
		{moscow, now, DatePeriod{Type: DateToday}, "2024-03-13 00:00:00 .. 2024-03-13 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateYesterday}, "2024-03-12 00:00:00 .. 2024-03-12 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateWeek}, "2024-03-11 00:00:00 .. 2024-03-17 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateLastWeek}, "2024-03-04 00:00:00 .. 2024-03-10 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateMonth}, "2024-03-01 00:00:00 .. 2024-03-31 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateLastMonth}, "2024-02-01 00:00:00 .. 2024-02-29 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateOneDate, Start: "2024-01-05", End: "2024-01-05"}, "2024-01-05 00:00:00 .. 2024-01-05 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DatePeriodRange, Start: "2024-01-05", End: "2024-01-07"}, "2024-01-05 00:00:00 .. 2024-01-07 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateEarlierThan, Start: "2024-01-05"}, "open .. 2024-01-04 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DateLaterThan, Start: "2024-01-05", End: "2024-01-05"}, "2024-01-06 00:00:00 .. open", ""},
		{moscow, now, DatePeriod{Type: DateLaterThan, End: "2024-01-05"}, "2024-01-06 00:00:00 .. open", ""},
		// In UTC the same instant is Tuesday the 12th.
		{time.UTC, now, DatePeriod{Type: DateToday}, "2024-03-12 00:00:00 .. 2024-03-12 23:59:59", ""},
		// A week and a month across the switch to summer time keep their
		// local midnights (the week is 167 hours long).
		{berlin, time.Date(2024, 3, 28, 12, 0, 0, 0, berlin), DatePeriod{Type: DateWeek}, "2024-03-25 00:00:00 .. 2024-03-31 23:59:59", ""},
		{berlin, time.Date(2024, 4, 2, 12, 0, 0, 0, berlin), DatePeriod{Type: DateLastMonth}, "2024-03-01 00:00:00 .. 2024-03-31 23:59:59", ""},
		// A Sunday belongs to the week that began on Monday.
		{moscow, time.Date(2024, 3, 17, 23, 59, 0, 0, moscow), DatePeriod{Type: DateWeek}, "2024-03-11 00:00:00 .. 2024-03-17 23:59:59", ""},
		{moscow, now, DatePeriod{Type: DatePeriodRange, Start: "2024-01-05"}, "", "x.dates: period_dates_required"},
		{moscow, now, DatePeriod{Type: DatePeriodRange, Start: "2024-01-05", End: "2024-01-04"}, "", "x.dates: period_end_before_start"},
		{moscow, now, DatePeriod{Type: DateOneDate}, "", "x.dates.start: date_start_required one_date"},
		{moscow, now, DatePeriod{Type: DateOneDate, Start: "5.1.2024"}, "", "x.dates.start: date_format 5.1.2024"},
		{moscow, now, DatePeriod{Type: "fortnight"}, "", "x.dateType: date_type_choice all, yesterday, today, week, last_week, month, last_month, one_date, period, earlier_than, later_than"},
		{moscow, now, DatePeriod{}, "", "x.dateType: date_type_required"},
	} {
		var v violations
		r, ok := resolvePeriod(&v, "x", tc.p, tc.now, tc.loc)
		if tc.error != "" {
			if ok || len(v) != 1 || ruleText(v[0]) != tc.error {
				t.Errorf("%+v: got %v %v, want error %q", tc.p, ok, v, tc.error)
			}
			continue
		}
		if got := rangeText(r, tc.loc); !ok || got != tc.want {
			t.Errorf("%+v at %s: got %s (%v %v), want %s", tc.p, tc.now.In(tc.loc), got, ok, v, tc.want)
		}
	}
}

func TestDealFilterConditions(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2024, 3, 13, 12, 0, 0, 0, loc)
	for _, tc := range []struct {
		fc    FieldCondition
		def   *CustomField
		want  string // %+v of the match's interesting parts
		error string
		skip  bool // restricts nothing
	}{
		{fc: FieldCondition{Entity: EntityDeal, Service: true, FieldID: 2001, Value: TextOperand("  Сделка ")}, want: "contains сделка"},
		{fc: FieldCondition{Entity: EntityDeal, Service: true, FieldID: 2001, Value: TextOperand("Сделка"), Comparison: CompareEqually}, want: "equals сделка"},
		{fc: FieldCondition{Entity: EntityDeal, Service: true, FieldID: 20012, Value: NumberOperand(123)}, want: "contains 123 (field 2012)"},
		{fc: FieldCondition{Entity: EntityInbound, Service: true, FieldID: 2, Value: TextOperand("8 (499) 322-97-10")}, want: "contains 74993229710"},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 1010, Value: ListOperand(ObjectOperand(map[string]Operand{"timezone": TextOperand("UTC+03:00"), "text": TextOperand("Москва"), "id": NumberOperand(77)}), TextOperand("Тверь"))},
			want: "any of [77 москва тверь]"},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 1001, Value: TextOperand("")}, skip: true},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 1001, Value: ListOperand(TextOperand("x"))}, error: "p: filter_value_string"},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 2001, Value: TextOperand("x")}, error: "p: filter_field_not_found"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand("12,5")}, def: &CustomField{ID: 7, Type: FieldNumeric}, want: "number 12.5..12.5"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: NumberOperand(3), Comparison: CompareRange}, def: &CustomField{ID: 7, Type: FieldNumeric}, want: "number 3..open"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Comparison: CompareRange, ValueTo: NumberOperand(9)}, def: &CustomField{ID: 7, Type: FieldNumeric}, want: "number open..9"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ListOperand(TextOperand("1"), NumberOperand(2))}, def: &CustomField{ID: 7, Type: FieldSelect}, want: "enum [1 2]"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand("1")}, def: &CustomField{ID: 7, Type: FieldCheckbox}, want: "checked"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: BoolOperand(false)}, def: &CustomField{ID: 7, Type: FieldCheckbox}, want: "not checked"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand("Экспо")}, def: &CustomField{ID: 7, Type: FieldURL}, want: "contains экспо"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"field": TextOperand("date"), "start": TextOperand("2024-03-01"), "end": TextOperand("2024-03-01")}), DateType: DateOneDate},
			def: &CustomField{ID: 7, Type: FieldDate}, want: "time 2024-03-01 00:00:00 .. 2024-03-01 23:59:59"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"field": TextOperand("date")}), DateType: DateYesterday},
			def: &CustomField{ID: 7, Type: FieldDateTime}, want: "time 2024-03-12 00:00:00 .. 2024-03-12 23:59:59"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"field": TextOperand("date"), "end": TextOperand("2024-03-01")})},
			def: &CustomField{ID: 7, Type: FieldDate}, want: "time open .. 2024-03-01 23:59:59"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"field": TextOperand("date")})}, def: &CustomField{ID: 7, Type: FieldDate}, skip: true},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand("x"), Comparison: CompareRange}, def: &CustomField{ID: 7, Type: FieldText},
			error: "p: text_comparison range"},
		// Each field reads the forms it can and names the others.
		{fc: FieldCondition{Entity: EntityDeal, Service: true, FieldID: 2005, Value: BoolOperand(true)}, error: "p: filter_value_string"},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 1010, Value: ListOperand(TextOperand("Тверь"), BoolOperand(true))},
			error: "p.1: region_object"},
		{fc: FieldCondition{Entity: EntityContact, Service: true, FieldID: 1010, Value: ListOperand(ObjectOperand(map[string]Operand{"id": BoolOperand(true)}))},
			skip: true},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: NumberOperand(12.5)}, def: &CustomField{ID: 7, Type: FieldText}, want: "contains 12.5"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"a": TextOperand("b")})}, def: &CustomField{ID: 7, Type: FieldText},
			error: "p: filter_value_string"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ListOperand(TextOperand("1"))}, def: &CustomField{ID: 7, Type: FieldNumeric},
			error: "p: filter_value_number"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"a": NumberOperand(1)})}, def: &CustomField{ID: 7, Type: FieldSelect},
			error: "p.0: select_value_enum"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: NumberOperand(3)}, def: &CustomField{ID: 7, Type: FieldRadiobutton}, want: "enum [3]"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: NumberOperand(1)}, def: &CustomField{ID: 7, Type: FieldCheckbox}, want: "checked"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand("2")}, def: &CustomField{ID: 7, Type: FieldCheckbox},
			error: "p: checkbox_value"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: TextOperand(" 2024-03-01 ")}, def: &CustomField{ID: 7, Type: FieldDate},
			want: "time 2024-03-01 00:00:00 .. 2024-03-01 23:59:59"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ListOperand()}, def: &CustomField{ID: 7, Type: FieldDate}, skip: true},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: NumberOperand(5)}, def: &CustomField{ID: 7, Type: FieldDate},
			error: "p: date_field_object"},
		{fc: FieldCondition{Entity: EntityDeal, FieldID: 7, Value: ObjectOperand(map[string]Operand{"start": BoolOperand(true)})}, def: &CustomField{ID: 7, Type: FieldDate},
			error: "p: date_strings"},
	} {
		var v violations
		var m FieldMatch
		var ok bool
		if tc.fc.Service {
			m, ok = resolveServiceCondition(&v, "p", tc.fc)
		} else {
			m, ok = resolveCustomCondition(&v, "p", *tc.def, tc.fc, now, loc)
		}
		switch {
		case tc.error != "":
			if ok || len(v) != 1 || ruleText(v[0]) != tc.error {
				t.Errorf("%+v: got %v %v, want error %q", tc.fc, ok, v, tc.error)
			}
			continue
		case tc.skip:
			if ok || len(v) != 0 {
				t.Errorf("%+v: got %v %v, want no condition", tc.fc, ok, v)
			}
			continue
		}
		num := func(p *float64) string {
			if p == nil {
				return "open"
			}
			return trimFloat(*p)
		}
		var got string
		switch m.Op {
		case MatchContains:
			got = "contains " + m.Text
			if m.FieldID != tc.fc.FieldID {
				got += " (field " + trimFloat(float64(m.FieldID)) + ")"
			}
		case MatchEquals:
			got = "equals " + m.Text
		case MatchAnyOf:
			got = "any of [" + strings.Join(m.Texts, " ") + "]"
		case MatchNumber:
			got = "number " + num(m.Number.From) + ".." + num(m.Number.To)
		case MatchEnum:
			parts := []string{}
			for _, id := range m.EnumIDs {
				parts = append(parts, trimFloat(float64(id)))
			}
			got = "enum [" + strings.Join(parts, " ") + "]"
		case MatchChecked:
			got = "checked"
		case MatchNotChecked:
			got = "not checked"
		case MatchTime:
			got = "time " + rangeText(m.Range, loc)
		}
		if !ok || len(v) != 0 || got != tc.want {
			t.Errorf("%+v: got %q (%v %v), want %q", tc.fc, got, ok, v, tc.want)
		}
	}
}

func trimFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// ruleText is a violation as its path, its rule and its args.
func ruleText(v Violation) string {
	return strings.Join(append([]string{v.Path + ": " + string(v.Rule)}, v.Args...), " ")
}
