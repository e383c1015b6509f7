package crm

import (
	"errors"
	"strings"
)

// LegalDetails are the requisites of a company as a legal entity (Envybox
// client companies): its registration numbers and bank details. The short
// name is the company's Name. Empty strings mean "not given".
type LegalDetails struct {
	FullName       string
	INN            string // ИНН: 10 digits (organisation) or 12 (individual)
	KPP            string // КПП: 9 characters
	OGRN           string // ОГРН (13 digits) or ОГРНИП (15 digits)
	LegalAddress   string
	PostalAddress  string
	GeneralManager string
	BankName       string
	BIK            string // БИК: 9 digits
	// PaymentAccount (расчётный счёт) and CorrespondentAccount (корр. счёт)
	// are 20 digits each, keyed to the BIK.
	PaymentAccount       string
	CorrespondentAccount string
}

// The Russian checks below follow the published algorithms: the tax
// service's check digits for INN and OGRN/OGRNIP and the Bank of Russia's
// account keying (weights 7-1-3 over BIK digits and the account).

// onlyDigits reports whether s is non-empty and all ASCII digits.
func onlyDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// weighted returns Σ digit(s[i])·w[i] over len(w) digits.
func weighted(s string, w []int) int {
	sum := 0
	for i, k := range w {
		sum += int(s[i]-'0') * k
	}
	return sum
}

var (
	inn10Weights   = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12Weights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12Weights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	accountWeights = []int{7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1}
)

// RuleError is a broken validation rule outside a request: what the
// Check* functions return. Error is the English wording; a dialect words
// Rule and Args its own way.
type RuleError struct {
	Rule Rule
	Args []string
	Text string
}

func (e *RuleError) Error() string { return e.Text }

func ruleError(rule Rule, text string, args ...string) error {
	return &RuleError{Rule: rule, Args: args, Text: text}
}

// broken adds an invalid-value violation for err, with its rule when err
// is a *RuleError.
func (v *violations) broken(item int, path string, err error) {
	var re *RuleError
	if errors.As(err, &re) {
		v.rule(item, path, ViolationInvalid, re.Rule, re.Text, re.Args...)
		return
	}
	v.add(item, path, ViolationInvalid, err.Error())
}

// CheckINN validates an ИНН: 10 digits for an organisation or 12 for an
// individual or sole proprietor, with the check digits.
func CheckINN(inn string) error {
	switch {
	case !onlyDigits(inn) || (len(inn) != 10 && len(inn) != 12):
		return ruleError(RuleINNLength, "An INN must be 10 digits (an organisation) or 12 (a sole proprietor or an individual).")
	case len(inn) == 10:
		if weighted(inn, inn10Weights)%11%10 != int(inn[9]-'0') {
			return ruleError(RuleINNCheckDigit, "The INN is wrong: its check digit does not match.")
		}
	default:
		if weighted(inn, inn12Weights11)%11%10 != int(inn[10]-'0') ||
			weighted(inn, inn12Weights12)%11%10 != int(inn[11]-'0') {
			return ruleError(RuleINNCheckDigits, "The INN is wrong: its check digits do not match.")
		}
	}
	return nil
}

// CheckKPP validates a КПП: 9 characters, the 5th and 6th of which may be
// capital Latin letters (allowed since 2013), the others digits.
func CheckKPP(kpp string) error {
	ok := len(kpp) == 9
	for i := 0; ok && i < len(kpp); i++ {
		c := kpp[i]
		digit := c >= '0' && c <= '9'
		ok = digit || ((i == 4 || i == 5) && c >= 'A' && c <= 'Z')
	}
	if !ok {
		return ruleError(RuleKPPLength, "A KPP must be 9 digits.")
	}
	return nil
}

// CheckOGRN validates an ОГРН (13 digits, organisations) or an ОГРНИП (15
// digits, sole proprietors) with its check digit.
func CheckOGRN(ogrn string) error {
	if !onlyDigits(ogrn) || (len(ogrn) != 13 && len(ogrn) != 15) {
		return ruleError(RuleOGRNLength, "An OGRN must be 13 digits, an OGRNIP 15.")
	}
	body, check := ogrn[:len(ogrn)-1], int64(ogrn[len(ogrn)-1]-'0')
	var n int64
	for i := 0; i < len(body); i++ {
		n = n*10 + int64(body[i]-'0')
	}
	mod, rule, name := int64(11), RuleOGRNCheckDigit, "OGRN"
	if len(ogrn) == 15 {
		mod, rule, name = 13, RuleOGRNIPCheckDigit, "OGRNIP"
	}
	if n%mod%10 != check {
		return ruleError(rule, "The "+name+" is wrong: its check digit does not match.")
	}
	return nil
}

// CheckBIK validates a БИК: 9 digits.
func CheckBIK(bik string) error {
	if !onlyDigits(bik) || len(bik) != 9 {
		return ruleError(RuleBIKLength, "A BIK must be 9 digits.")
	}
	return nil
}

// accountKeyed reports whether a 20-digit account matches the bank's
// control key: prefix (3 digits taken from the BIK) + account, weighted
// 7-1-3, must sum to a multiple of 10.
func accountKeyed(prefix, account string) bool {
	return weighted(prefix+account, accountWeights)%10 == 0
}

// CheckPaymentAccount validates a расчётный счёт: 20 digits and, when a
// valid BIK is given, the control key. Accounts at a bank are keyed with the
// BIK's last three digits; accounts at a settlement centre of the Bank of
// Russia (BIK digits 7–8 are "00") with "0" and BIK digits 5–6.
func CheckPaymentAccount(account, bik string) error {
	if !onlyDigits(account) || len(account) != 20 {
		return ruleError(RulePaymentAccountLength, "A payment account must be 20 digits.")
	}
	if CheckBIK(bik) != nil {
		return nil
	}
	prefix := bik[6:]
	if bik[6:8] == "00" {
		prefix = "0" + bik[4:6]
	}
	if !accountKeyed(prefix, account) {
		return ruleError(RulePaymentAccountKey, "The payment account does not match the BIK: its control key is wrong.")
	}
	return nil
}

// CheckCorrespondentAccount validates a корреспондентский счёт: 20 digits
// starting with 301 and, when a valid BIK is given, the control key ("0" and
// BIK digits 5–6 before the account).
func CheckCorrespondentAccount(account, bik string) error {
	if !onlyDigits(account) || len(account) != 20 {
		return ruleError(RuleCorrespondentAccountLength, "A correspondent account must be 20 digits.")
	}
	if !strings.HasPrefix(account, "301") {
		return ruleError(RuleCorrespondentAccountPrefix, "A correspondent account must start with 301.")
	}
	if CheckBIK(bik) != nil {
		return nil
	}
	if !accountKeyed("0"+bik[4:6], account) {
		return ruleError(RuleCorrespondentAccountKey, "The correspondent account does not match the BIK: its control key is wrong.")
	}
	return nil
}

// normalize trims every field.
func (d *LegalDetails) normalize() {
	for _, p := range []*string{&d.FullName, &d.INN, &d.KPP, &d.OGRN, &d.LegalAddress, &d.PostalAddress,
		&d.GeneralManager, &d.BankName, &d.BIK, &d.PaymentAccount, &d.CorrespondentAccount} {
		*p = strings.TrimSpace(*p)
	}
}

// validate checks the requisites given; the INN is required. Paths are the
// Envybox parameter names.
func (d LegalDetails) validate(v *violations) {
	for _, f := range []struct{ path, value string }{{"full_name", d.FullName}, {"legal_address", d.LegalAddress},
		{"postal_address", d.PostalAddress}, {"general_manager", d.GeneralManager}, {"bank_name", d.BankName}} {
		v.checkText(0, f.path, f.value, MaxShortText)
	}
	if d.INN == "" {
		v.rule(0, "inn", ViolationRequired, RuleINNRequired, "The INN is required.")
	} else if err := CheckINN(d.INN); err != nil {
		v.broken(0, "inn", err)
	}
	checks := []struct {
		path, value string
		check       func(string) error
	}{
		{"kpp", d.KPP, CheckKPP},
		{"ogrn", d.OGRN, CheckOGRN},
		{"bik", d.BIK, CheckBIK},
		{"payment_account", d.PaymentAccount, func(s string) error { return CheckPaymentAccount(s, d.BIK) }},
		{"correspondent_account", d.CorrespondentAccount, func(s string) error { return CheckCorrespondentAccount(s, d.BIK) }},
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		if err := c.check(c.value); err != nil {
			v.broken(0, c.path, err)
		}
	}
}
