package crm

import (
	"strings"
	"testing"
)

func TestLegalChecks(t *testing.T) {
	type tc struct {
		name  string
		check func() error
		want  string // "" valid; otherwise a fragment of the error
	}
	cases := []tc{
		// ИНН: published numbers of real organisations and individuals.
		{"inn10 Sberbank", func() error { return CheckINN("7707083893") }, ""},
		{"inn10 Yandex", func() error { return CheckINN("7736207543") }, ""},
		{"inn10 T-Bank", func() error { return CheckINN("7710140679") }, ""},
		{"inn12", func() error { return CheckINN("773370857141") }, ""},
		{"inn12 second", func() error { return CheckINN("344809916052") }, ""},
		{"inn10 check digit", func() error { return CheckINN("7707083894") }, "контрольная цифра"},
		{"inn12 11th digit", func() error { return CheckINN("773370857151") }, "контрольные цифры"},
		{"inn12 12th digit", func() error { return CheckINN("773370857142") }, "контрольные цифры"},
		{"inn 11 digits", func() error { return CheckINN("77337085714") }, "10 цифр"},
		{"inn 9 digits", func() error { return CheckINN("770708389") }, "10 цифр"},
		{"inn letters", func() error { return CheckINN("770708389a") }, "10 цифр"},
		{"inn empty", func() error { return CheckINN("") }, "10 цифр"},
		// Envybox's own example INN is fictitious.
		{"inn example", func() error { return CheckINN("785626523235") }, "контрольные цифры"},

		{"kpp digits", func() error { return CheckKPP("773601001") }, ""},
		{"kpp letters 5-6", func() error { return CheckKPP("7736AZ001") }, ""},
		{"kpp letter elsewhere", func() error { return CheckKPP("A73601001") }, "9 цифр"},
		{"kpp lower-case", func() error { return CheckKPP("7736az001") }, "9 цифр"},
		{"kpp 8", func() error { return CheckKPP("77360100") }, "9 цифр"},
		{"kpp 10", func() error { return CheckKPP("7736010011") }, "9 цифр"},

		{"ogrn Sberbank", func() error { return CheckOGRN("1027700132195") }, ""},
		{"ogrn T-Bank", func() error { return CheckOGRN("1027739642281") }, ""},
		{"ogrnip", func() error { return CheckOGRN("307760324100018") }, ""},
		{"ogrn check digit", func() error { return CheckOGRN("1027700132196") }, "ОГРН указан неверно"},
		{"ogrnip check digit", func() error { return CheckOGRN("307760324100017") }, "ОГРНИП указан неверно"},
		{"ogrn 14", func() error { return CheckOGRN("10277001321950") }, "13 цифр"},
		{"ogrn 12", func() error { return CheckOGRN("102770013219") }, "13 цифр"},
		{"ogrn letters", func() error { return CheckOGRN("10277001321x5") }, "13 цифр"},
		{"ogrn example", func() error { return CheckOGRN("254562325632656") }, "ОГРНИП указан неверно"},

		{"bik", func() error { return CheckBIK("044525225") }, ""},
		{"bik 8", func() error { return CheckBIK("04452522") }, "9 цифр"},
		{"bik example 20", func() error { return CheckBIK("84562156256236325632") }, "9 цифр"},
		{"bik letters", func() error { return CheckBIK("04452522x") }, "9 цифр"},

		{"payment keyed", func() error { return CheckPaymentAccount("40702810900000002851", "044030827") }, ""},
		{"payment at settlement centre", func() error { return CheckPaymentAccount("40701810000001002118", "044106001") }, ""},
		{"payment no bik", func() error { return CheckPaymentAccount("40817810099910004312", "") }, ""},
		{"payment key", func() error { return CheckPaymentAccount("40702810000000002851", "044030827") }, "контрольный ключ"},
		{"payment key 2", func() error { return CheckPaymentAccount("40702810800000002851", "044030827") }, "контрольный ключ"},
		{"payment 19", func() error { return CheckPaymentAccount("4070281090000000285", "044030827") }, "20 цифр"},
		{"payment 21", func() error { return CheckPaymentAccount("407028109000000028510", "") }, "20 цифр"},
		{"payment letters", func() error { return CheckPaymentAccount("4070281090000000285x", "") }, "20 цифр"},

		{"corr Sberbank", func() error { return CheckCorrespondentAccount("30101810400000000225", "044525225") }, ""},
		{"corr", func() error { return CheckCorrespondentAccount("30101810200000000827", "044030827") }, ""},
		{"corr T-Bank", func() error { return CheckCorrespondentAccount("30101810145250000974", "044525974") }, ""},
		{"corr no bik", func() error { return CheckCorrespondentAccount("30101810400000000225", "") }, ""},
		{"corr key", func() error { return CheckCorrespondentAccount("30101810500000000225", "044525225") }, "контрольный ключ"},
		{"corr other bank", func() error { return CheckCorrespondentAccount("30101810400000000225", "044030827") }, "контрольный ключ"},
		{"corr prefix", func() error { return CheckCorrespondentAccount("40817810099910004312", "") }, "301"},
		{"corr 19", func() error { return CheckCorrespondentAccount("3010181040000000022", "") }, "20 цифр"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.check()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("want an error containing %q, got none", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestLegalDetailsValidate(t *testing.T) {
	good := LegalDetails{INN: "7707083893", KPP: "773601001", OGRN: "1027700132195", BIK: "044525225",
		CorrespondentAccount: "30101810400000000225"}
	var v violations
	good.validate(&v)
	if len(v) != 0 {
		t.Fatalf("valid details: %v", v)
	}
	bad := good
	bad.INN, bad.BIK = "", "123"
	v = nil
	bad.validate(&v)
	if len(v) != 2 || v[0].Path != "inn" || v[0].Code != ViolationRequired || v[1].Path != "bik" {
		t.Fatalf("violations: %+v", v)
	}
}
