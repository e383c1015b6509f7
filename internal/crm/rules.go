package crm

// Rule names one validation rule a request can break, independent of any
// wire format. The domain words its violations in English; a dialect that
// words them its own way (Envybox, in Russian) keeps a table from rules to
// its texts, filling in the violation's Args where a rule's comment lists
// them.
type Rule string

// Client rules (client_service.go).
const (
	RuleOffsetNegative      Rule = "offset_negative"        // a negative paging offset
	RuleClientNameRequired  Rule = "client_name_required"   // a new client without a name
	RulePhoneDigits         Rule = "phone_digits"           // a phone without digits
	RuleEmailInvalid        Rule = "email_invalid"          // a malformed email
	RuleFieldValueString    Rule = "field_value_string"     // a client field value that is not a string
	RuleClientNameBlank     Rule = "client_name_blank"      // the client name field set empty
	RuleClientTimeZone      Rule = "client_time_zone"       // a time zone not like UTC+3:00
	RuleContactNameRequired Rule = "contact_name_required"  // a contact person without a name
	RuleContactPhoneOrEmail Rule = "contact_phone_or_email" // a contact person with neither phone nor email
	RuleBirthdayFormat      Rule = "birthday_format"        // a birthday not YYYY-MM-DD
	RuleWorkPhoneRequired   Rule = "work_phone_required"    // a work phone extension without the number
	RuleContactKindUnknown  Rule = "contact_kind_unknown"   // Args: the kind
	RuleCompanyNameRequired Rule = "company_name_required"  // a company without its short name
)

// Requisite rules (legal.go).
const (
	RuleINNRequired                Rule = "inn_required"                 // a company without an INN
	RuleINNLength                  Rule = "inn_length"                   // an INN not of 10 or 12 digits
	RuleINNCheckDigit              Rule = "inn_check_digit"              // a 10-digit INN with a wrong check digit
	RuleINNCheckDigits             Rule = "inn_check_digits"             // a 12-digit INN with wrong check digits
	RuleKPPLength                  Rule = "kpp_length"                   // a KPP not of 9 characters
	RuleOGRNLength                 Rule = "ogrn_length"                  // an OGRN not of 13 or 15 digits
	RuleOGRNCheckDigit             Rule = "ogrn_check_digit"             // an OGRN with a wrong check digit
	RuleOGRNIPCheckDigit           Rule = "ogrnip_check_digit"           // an OGRNIP with a wrong check digit
	RuleBIKLength                  Rule = "bik_length"                   // a BIK not of 9 digits
	RulePaymentAccountLength       Rule = "payment_account_length"       // a payment account not of 20 digits
	RulePaymentAccountKey          Rule = "payment_account_key"          // a payment account not keyed to the BIK
	RuleCorrespondentAccountLength Rule = "correspondent_account_length" // a correspondent account not of 20 digits
	RuleCorrespondentAccountPrefix Rule = "correspondent_account_prefix" // a correspondent account not starting with 301
	RuleCorrespondentAccountKey    Rule = "correspondent_account_key"    // a correspondent account not keyed to the BIK
)

// Log rules (log_service.go).
const (
	RuleLogType              Rule = "log_type"               // Args: the call type id, the comment type id
	RuleCallDirection        Rule = "call_direction"         // a call direction not 1, 2 or 3
	RuleCallStatus           Rule = "call_status"            // a call status not 0 to 7
	RuleCallPhoneRequired    Rule = "call_phone_required"    // Args: the parameter (from or to)
	RuleLogTooLong           Rule = "log_too_long"           // Args: the parameter, the maximum length
	RuleRecordLinkURL        Rule = "record_link_url"        // a record link not http(s)
	RuleDurationBillNegative Rule = "duration_bill_negative" // a negative billed duration
	RuleCommentRequired      Rule = "comment_required"       // a comment log without text
)

// Deal filter rules (deal_filter.go).
const (
	RuleDateSelectRequired     Rule = "date_select_required"       // a date filter without dateSelectType
	RuleDateSelectChoice       Rule = "date_select_choice"         // Args: the allowed values, comma-separated
	RuleFilterElementUnknown   Rule = "filter_element_unknown"     // a field condition on an unknown element type
	RuleFilterFieldNotFound    Rule = "filter_field_not_found"     // a field condition on an unknown field
	RuleDateFormat             Rule = "date_format"                // Args: the value given
	RuleDateStartRequired      Rule = "date_start_required"        // Args: the dateType
	RulePeriodDatesRequired    Rule = "period_dates_required"      // a period without start or end
	RulePeriodEndBeforeStart   Rule = "period_end_before_start"    // a period ending before it starts
	RuleDateTypeRequired       Rule = "date_type_required"         // a period without dateType
	RuleDateTypeChoice         Rule = "date_type_choice"           // Args: the allowed values, comma-separated
	RuleFilterValueString      Rule = "filter_value_string"        // a condition value that is not a string
	RuleTextComparison         Rule = "text_comparison"            // Args: the comparison
	RuleRegionObject           Rule = "region_object"              // a region value that is not an object
	RuleCustomDateTypeDateOnly Rule = "custom_date_type_date_only" // customDateType on a field that is not a date
	RuleSelectValueEnum        Rule = "select_value_enum"          // a list value that is not an option id
	RuleCheckboxValue          Rule = "checkbox_value"             // a checkbox value not 1 or 0
	RuleFilterValueNumber      Rule = "filter_value_number"        // a condition value that is not a number
	RuleNumberComparison       Rule = "number_comparison"          // a number comparison not equally or range
	RuleDateStrings            Rule = "date_strings"               // date bounds that are not strings
	RuleDateFieldObject        Rule = "date_field_object"          // a date field value that is not an object
	RuleCustomDateTypeChoice   Rule = "custom_date_type_choice"    // Args: the allowed values, comma-separated
)
