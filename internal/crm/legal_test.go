package crm

import (
	"errors"
	"testing"
)

func TestLegalChecks(t *testing.T) {
	type tc struct {
		name  string
		check func() error
		want  Rule // "" valid; otherwise the rule the error breaks
	}
	cases := []tc{
		// ИНН: published numbers of real organisations and individuals.
		{"inn10 Sberbank", func() error { return CheckINN("7707083893") }, ""},
		{"inn10 Yandex", func() error { return CheckINN("7736207543") }, ""},
		{"inn10 T-Bank", func() error { return CheckINN("7710140679") }, ""},
		{"inn12", func() error { return CheckINN("773370857141") }, ""},
		{"inn12 second", func() error { return CheckINN("344809916052") }, ""},
		{"inn10 check digit", func() error { return CheckINN("7707083894") }, RuleINNCheckDigit},
		{"inn12 11th digit", func() error { return CheckINN("773370857151") }, RuleINNCheckDigits},
		{"inn12 12th digit", func() error { return CheckINN("773370857142") }, RuleINNCheckDigits},
		{"inn 11 digits", func() error { return CheckINN("77337085714") }, RuleINNLength},
		{"inn 9 digits", func() error { return CheckINN("770708389") }, RuleINNLength},
		{"inn letters", func() error { return CheckINN("770708389a") }, RuleINNLength},
		{"inn empty", func() error { return CheckINN("") }, RuleINNLength},
		// Envybox's own example INN is fictitious.
		{"inn example", func() error { return CheckINN("785626523235") }, RuleINNCheckDigits},

		{"kpp digits", func() error { return CheckKPP("773601001") }, ""},
		{"kpp letters 5-6", func() error { return CheckKPP("7736AZ001") }, ""},
		{"kpp letter elsewhere", func() error { return CheckKPP("A73601001") }, RuleKPPLength},
		{"kpp lower-case", func() error { return CheckKPP("7736az001") }, RuleKPPLength},
		{"kpp 8", func() error { return CheckKPP("77360100") }, RuleKPPLength},
		{"kpp 10", func() error { return CheckKPP("7736010011") }, RuleKPPLength},

		{"ogrn Sberbank", func() error { return CheckOGRN("1027700132195") }, ""},
		{"ogrn T-Bank", func() error { return CheckOGRN("1027739642281") }, ""},
		{"ogrnip", func() error { return CheckOGRN("307760324100018") }, ""},
		{"ogrn check digit", func() error { return CheckOGRN("1027700132196") }, RuleOGRNCheckDigit},
		{"ogrnip check digit", func() error { return CheckOGRN("307760324100017") }, RuleOGRNIPCheckDigit},
		{"ogrn 14", func() error { return CheckOGRN("10277001321950") }, RuleOGRNLength},
		{"ogrn 12", func() error { return CheckOGRN("102770013219") }, RuleOGRNLength},
		{"ogrn letters", func() error { return CheckOGRN("10277001321x5") }, RuleOGRNLength},
		{"ogrn example", func() error { return CheckOGRN("254562325632656") }, RuleOGRNIPCheckDigit},

		{"bik", func() error { return CheckBIK("044525225") }, ""},
		{"bik 8", func() error { return CheckBIK("04452522") }, RuleBIKLength},
		{"bik example 20", func() error { return CheckBIK("84562156256236325632") }, RuleBIKLength},
		{"bik letters", func() error { return CheckBIK("04452522x") }, RuleBIKLength},

		{"payment keyed", func() error { return CheckPaymentAccount("40702810900000002851", "044030827") }, ""},
		{"payment at settlement centre", func() error { return CheckPaymentAccount("40701810000001002118", "044106001") }, ""},
		{"payment no bik", func() error { return CheckPaymentAccount("40817810099910004312", "") }, ""},
		{"payment key", func() error { return CheckPaymentAccount("40702810000000002851", "044030827") }, RulePaymentAccountKey},
		{"payment key 2", func() error { return CheckPaymentAccount("40702810800000002851", "044030827") }, RulePaymentAccountKey},
		{"payment 19", func() error { return CheckPaymentAccount("4070281090000000285", "044030827") }, RulePaymentAccountLength},
		{"payment 21", func() error { return CheckPaymentAccount("407028109000000028510", "") }, RulePaymentAccountLength},
		{"payment letters", func() error { return CheckPaymentAccount("4070281090000000285x", "") }, RulePaymentAccountLength},

		{"corr Sberbank", func() error { return CheckCorrespondentAccount("30101810400000000225", "044525225") }, ""},
		{"corr", func() error { return CheckCorrespondentAccount("30101810200000000827", "044030827") }, ""},
		{"corr T-Bank", func() error { return CheckCorrespondentAccount("30101810145250000974", "044525974") }, ""},
		{"corr no bik", func() error { return CheckCorrespondentAccount("30101810400000000225", "") }, ""},
		{"corr key", func() error { return CheckCorrespondentAccount("30101810500000000225", "044525225") }, RuleCorrespondentAccountKey},
		{"corr other bank", func() error { return CheckCorrespondentAccount("30101810400000000225", "044030827") }, RuleCorrespondentAccountKey},
		{"corr prefix", func() error { return CheckCorrespondentAccount("40817810099910004312", "") }, RuleCorrespondentAccountPrefix},
		{"corr 19", func() error { return CheckCorrespondentAccount("3010181040000000022", "") }, RuleCorrespondentAccountLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.check()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("want an error breaking %q, got none", c.want)
			case c.want != "":
				var re *RuleError
				if !errors.As(err, &re) || re.Rule != c.want {
					t.Fatalf("error %q does not break rule %q", err, c.want)
				}
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
	if len(v) != 2 || v[0].Path != "inn" || v[0].Code != ViolationRequired || v[0].Rule != RuleINNRequired ||
		v[1].Path != "bik" || v[1].Rule != RuleBIKLength {
		t.Fatalf("violations: %+v", v)
	}
}
