package crm

import "testing"

func TestNewAccountNormalize(t *testing.T) {
	tests := []struct {
		in            NewAccount
		wantSubdomain string
		wantErr       bool
	}{
		{NewAccount{Name: "Acme Trading Co."}, "acme-trading-co", false},
		{NewAccount{Name: "Ромашка"}, "crm", false},
		{NewAccount{Name: "Shop", Subdomain: "MyShop"}, "myshop", false},
		{NewAccount{Name: "  "}, "", true},
		{NewAccount{Name: "Shop", Subdomain: "bad_sub"}, "", true},
		{NewAccount{Name: "Shop", TimeZone: "Mars/Olympus"}, "", true},
	}
	for _, tt := range tests {
		err := tt.in.Normalize()
		if (err != nil) != tt.wantErr {
			t.Errorf("%+v: err = %v", tt.in, err)
			continue
		}
		if err == nil && (tt.in.Subdomain != tt.wantSubdomain || tt.in.TimeZone != DefaultTimeZone || tt.in.AdminName == "") {
			t.Errorf("normalized to %+v", tt.in)
		}
		if err != nil && KindOf(err) != KindInvalid {
			t.Errorf("error kind %q", KindOf(err))
		}
	}
}

func TestPageNormalize(t *testing.T) {
	p := Page{}
	if err := p.normalize(); err != nil || p.Number != 1 || p.Limit != DefaultPageLimit {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	for _, bad := range []Page{{Number: -1}, {Limit: MaxPageLimit + 1}, {Limit: -5}} {
		if err := bad.normalize(); KindOf(err) != KindInvalid {
			t.Errorf("%+v accepted", bad)
		}
	}
	if got := (Page{Number: 3, Limit: 50}).Offset(); got != 100 {
		t.Errorf("offset %d", got)
	}
	if got := (Page{Limit: 3}).PageCount(7); got != 3 {
		t.Errorf("page count %d", got)
	}
	if got := (Page{Limit: 3}).PageCount(0); got != 1 {
		t.Errorf("page count of nothing %d", got)
	}
}

func TestStatusValidation(t *testing.T) {
	name, sort, bad, good := "S", 1, "#000000", "#c1e0ff"
	var v violations
	NewCustomerStatus{}.validate(&v, 3)
	if len(v) != 2 || v[0].Item != 3 || v[0].Path != "name" || v[1].Path != "sort" {
		t.Fatalf("missing name and sort: %+v", v)
	}
	v = nil
	NewCustomerStatus{Name: &name, Sort: &sort, Color: &bad}.validate(&v, 0)
	if len(v) != 1 || v[0].Code != ViolationChoice {
		t.Fatalf("bad colour: %+v", v)
	}
	v = nil
	CustomerStatusPatch{}.validate(&v)
	if len(v) != 1 {
		t.Fatalf("empty patch: %+v", v)
	}
	v = nil
	CustomerStatusPatch{Color: &good}.validate(&v)
	if len(v) != 0 {
		t.Fatalf("palette colour refused: %+v", v)
	}
}
