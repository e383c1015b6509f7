package crm

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Account is a tenant: every other record belongs to exactly one account and
// no credential of one account can reach another's rows.
type Account struct {
	ID        int64
	Name      string
	Subdomain string
	// UUID identifies the account to clients that want a stable opaque id
	// (amoCRM's account uuid and amojo_id).
	UUID string
	// TimeZone is an IANA zone name used by dialects that speak local date
	// strings (Envybox, UIS). Times are always stored in UTC.
	TimeZone      string
	CustomersMode CustomersMode
	// Currency is the ISO 4217 code of the money the account's prices are
	// in (Deal.Price): DefaultCurrency until an administrator sets another
	// (SetAccountCurrency).
	Currency  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultTimeZone is the time zone of a new account unless told otherwise.
const DefaultTimeZone = "Europe/Moscow"

// DefaultCurrency is the currency of a new account: the rouble, the money
// of the Russian businesses crmd's dialects serve. Migration 0020 gives it
// to the accounts made before accounts had a currency.
const DefaultCurrency = "RUB"

// currencySymbols are the signs of the currencies of the countries crmd's
// dialects serve, and the two of international trade.
var currencySymbols = map[string]string{
	"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "UAH": "₴", "BYN": "Br",
}

// CurrencySymbol is the sign of an ISO 4217 code (amoCRM's currency_symbol,
// the workspace's money); a currency without one here is shown by its
// code, which every reader understands, and "" as the default currency's.
func CurrencySymbol(code string) string {
	if code == "" {
		code = DefaultCurrency
	}
	if sign, ok := currencySymbols[code]; ok {
		return sign
	}
	return code
}

// ValidCurrency reports whether code has the shape of an ISO 4217 currency
// code: three upper-case latin letters. Whether the code is assigned is
// not checked: crmd only shows it beside amounts and never converts them.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// CustomersMode says how an account groups its repeat-purchase customers.
type CustomersMode string

// The customers modes, as amoCRM names them.
const (
	// CustomersDisabled: customers are switched off; a new account starts here.
	CustomersDisabled CustomersMode = "disabled"
	// CustomersSegments: dynamic segmentation; segments are available.
	CustomersSegments CustomersMode = "segments"
	// CustomersPeriodicity: each customer has one status; statuses are available.
	CustomersPeriodicity CustomersMode = "periodicity"
)

// Role is what a user may do in an account.
type Role string

// The user roles.
const (
	RoleAdmin  Role = "admin"  // administrator: may change settings and reference data
	RoleMember Role = "member" // ordinary user: reads, and works with records
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }

// User is a person working in one account.
type User struct {
	ID        int64
	AccountID int64
	Name      string
	Role      Role
	// Profile details Envybox lists for employees.
	Surname    string
	Email      string
	Profession string
	Phone      string // internal (extension) number
	CreatedAt  time.Time
	// DeactivatedAt is when an administrator deactivated the user (zero:
	// active). A deactivated user cannot sign in nor authenticate any API
	// call, and keeps their records and history.
	DeactivatedAt time.Time
	// LastLoginAt is the user's last web sign-in (zero: none known).
	LastLoginAt time.Time
}

// Active reports whether the user may sign in and act.
func (u User) Active() bool { return u.DeactivatedAt.IsZero() }

// Actor is the authenticated caller of a Service method: which account the
// call is scoped to and which user makes it.
type Actor struct {
	AccountID int64
	UserID    int64
	Role      Role
	// TimeZone is the account's time zone, filled in by authentication so
	// that dialects speaking local dates need not read the account again.
	TimeZone string
}

// Location is the actor's account time zone; UTC when unknown.
func (a Actor) Location() *time.Location { return zone(a.TimeZone) }

// AsResponsible is the actor as the one responsible for what it takes on
// itself (a lead the web workspace's user takes to work): an
// administrator as the user, a member as the employee, the way Envybox
// records them (responsibleFor) and StartInbound accepts them.
func (a Actor) AsResponsible() Responsible {
	return responsibleFor(User{ID: a.UserID, Role: a.Role}, Responsible{})
}

// Location is the account's time zone; UTC when unknown.
func (a Account) Location() *time.Location { return zone(a.TimeZone) }

// zone is the time zone of an IANA name; UTC for "" or an unknown name.
func zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// locations keeps the zones Location loaded: time.LoadLocation reads and
// parses the zone file on every call, 3% of an Envybox deal/get.
var locations sync.Map

// IsAdmin reports whether the actor has administrator rights.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

func (a Actor) requireAdmin() error {
	if !a.IsAdmin() {
		return Errorf(KindForbidden, "Access denied: administrator rights are required")
	}
	return nil
}

// NewAccount describes an account to create together with its first administrator.
type NewAccount struct {
	Name      string
	Subdomain string // optional; derived from Name when empty
	TimeZone  string // optional; DefaultTimeZone when empty
	AdminName string // optional; "Administrator" when empty
}

var subdomainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Normalize fills defaults and validates the request.
func (n *NewAccount) Normalize() error {
	var v violations
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		v.add(0, "name", ViolationBlank, "The account name must not be empty.")
	}
	v.checkText(0, "name", n.Name, MaxNameLength)
	v.checkText(0, "admin_name", n.AdminName, MaxNameLength)
	if n.Subdomain == "" {
		n.Subdomain = slug(n.Name)
	}
	n.Subdomain = strings.ToLower(n.Subdomain)
	if !subdomainPattern.MatchString(n.Subdomain) {
		v.add(0, "subdomain", ViolationInvalid, "The subdomain must be 1-63 latin letters, digits or dashes.")
	}
	if n.TimeZone == "" {
		n.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(n.TimeZone); err != nil {
		v.add(0, "time_zone", ViolationInvalid, "Unknown time zone "+n.TimeZone+".")
	}
	if n.AdminName == "" {
		n.AdminName = "Administrator"
	}
	return v.err()
}

// slug makes a subdomain candidate out of a free-form name; it may come out
// empty (a Cyrillic name), in which case "crm" is used.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	if s == "" {
		s = "crm"
	}
	return s
}

// NewUser describes a user to add to an existing account.
type NewUser struct {
	AccountID  int64
	Name       string
	Role       Role
	Surname    string
	Email      string
	Profession string
	Phone      string
}

// Normalize validates the request.
func (n *NewUser) Normalize() error {
	var v violations
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		v.add(0, "name", ViolationBlank, "The user name must not be empty.")
	}
	for _, f := range []struct{ path, value string }{{"name", n.Name}, {"surname", n.Surname}, {"profession", n.Profession}} {
		v.checkText(0, f.path, f.value, MaxNameLength)
	}
	for _, f := range []struct{ path, value string }{{"email", n.Email}, {"phone", n.Phone}} {
		v.checkText(0, f.path, f.value, MaxShortText)
	}
	if !n.Role.Valid() {
		v.add(0, "role", ViolationChoice, "The role must be admin or member.")
	}
	return v.err()
}

// AccountStore reads and writes an account itself: its settings, users,
// credentials and departments.
type AccountStore interface {
	Account(ctx context.Context) (Account, error)
	SetCustomersMode(ctx context.Context, mode CustomersMode) error
	// SetCurrency sets the account's currency, a code ValidCurrency accepts.
	SetCurrency(ctx context.Context, code string) error
	// SetAccountSettings writes the account's name, time zone and
	// currency, each already validated (UpdateAccount).
	SetAccountSettings(ctx context.Context, name, timeZone, currency string) error
	InsertUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (User, error)
	// Users lists the account's users.
	Users(ctx context.Context) ([]User, error)
	InsertCredential(ctx context.Context, c *Credential) error
	// SetUserRole changes a user's role. KindNotFound when there is no
	// such user. Like every revocation it advances the account's
	// authentication epoch (AuthEpoch), since the role is remembered with
	// the credentials that authenticate as the user.
	SetUserRole(ctx context.Context, id int64, role Role) error
	// DeactivateUser marks a user deactivated and, in the same
	// transaction, deletes their sessions (web and UIS) and credentials
	// (long-lived tokens, keys and OAuth access tokens) and revokes their
	// OAuth codes and refresh tokens; it advances the authentication
	// epoch. KindNotFound when there is no such user.
	DeactivateUser(ctx context.Context, id int64) error
	// ActivateUser clears a user's deactivation. Nothing of what was
	// revoked comes back. KindNotFound when there is no such user.
	ActivateUser(ctx context.Context, id int64) error
	// NoteSignIn records that a user signed in now.
	NoteSignIn(ctx context.Context, id int64) error
	// SetUserPasswordHash stores (or replaces) a user's password hash.
	// KindNotFound when there is no such user.
	SetUserPasswordHash(ctx context.Context, id int64, hash string) error
	// Credentials lists the account's long-lived credentials (every kind;
	// not OAuth access tokens), oldest first, hashes left out.
	Credentials(ctx context.Context) ([]Credential, error)
	// DeleteCredentials deletes the account's long-lived credentials of a
	// kind: one user's, or every one of the kind when userID is 0; it
	// advances the authentication epoch.
	DeleteCredentials(ctx context.Context, kind CredentialKind, userID int64) error
	InsertDepartment(ctx context.Context, d *Department) error
	Departments(ctx context.Context) ([]Department, error)
	Department(ctx context.Context, id int64) (Department, error)
}
