package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crmd/crmd/internal/api/widget"
	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/web"
)

// Version is stamped at build time with -ldflags "-X github.com/crmd/crmd/internal/cli.Version=v1.2.3";
// unstamped, BuildInfo reads what go build recorded (version.go).
var Version = "dev"

// Defaults for the serve command.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultDB   = "crmd.db"
)

// Main is the program with its outside world made explicit, so tests can run it.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Signals, when set, replaces SIGINT/SIGTERM as the stop signal of serve.
	Signals <-chan os.Signal
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

const usage = `crmd — a self-hosted CRM server speaking amoCRM, Envybox and UIS APIs.

Usage:
  crmd serve   [--addr HOST:PORT] [--db DSN]      run the server (env CRMD_ADDR, CRMD_DB)
               [--limits=false]                   switch request limits off (env CRMD_LIMITS)
               [--shutdown-timeout 30s]           drain window on SIGTERM (env CRMD_SHUTDOWN_TIMEOUT)
               [--trusted-proxies CIDR,…]         proxies whose X-Forwarded-For the widget
                                                  believes (env CRMD_TRUSTED_PROXIES)
               [--tls-cert FILE --tls-key FILE]   serve HTTPS and HTTP/2 (env CRMD_TLS_CERT, CRMD_TLS_KEY)
               [--log-format text|json]           log lines (env CRMD_LOG_FORMAT)
               [--metrics-addr HOST:PORT]         serve /metrics there (env CRMD_METRICS_ADDR; default off)
               [--public-url URL]                 how users reach crmd, for OAuth's referer
                                                  (env CRMD_PUBLIC_URL; default: the request's Host)
               [--webhook-allow-private]          let webhooks reach private addresses
                                                  (env CRMD_WEBHOOK_ALLOW_PRIVATE; default off)
               [--webhook-lease 1m]               how long a delivery being sent stays with
                                                  this process (at least 15s)
  crmd migrate --db DSN                           apply database migrations
  crmd account create --db DSN --name NAME [--subdomain S] [--json]
  crmd user create --db DSN --account ID --name NAME --role admin|member
                   [--surname S] [--email E] [--profession P] [--phone N] [--json]
  crmd user password --db DSN --user ID --password P   set the password of the web sign-in and UIS login.user
                   (login: the user's email or id)
  crmd user role --db DSN --account ID --user ID --role admin|member [--json]
  crmd user deactivate|activate --db DSN --account ID --user ID [--json]
                   deactivating ends the user's sessions and revokes their tokens at once;
                   the account keeps at least one active administrator
  crmd account link-agent --db DSN --agent ID --client ID
                   let the agent account act for the client account (UIS user_id)
  crmd account currency --db DSN --account ID --currency CODE [--json]
                   the ISO 4217 currency of the account's prices (default RUB)
  crmd department create --db DSN --account ID --name NAME [--json]
  crmd pipeline create --db DSN --account ID --name NAME [--manual=false]
                   --stages "Новая:2001,В работе:2002,Успех:2003,Отказ:2004" [--json]
  crmd field create --db DSN --account ID --entity deal|lead|client|contact|company|customer|segment|inbound
                   --name NAME --type TYPE [--enums "A,B,…"] [--code CODE] [--sort N] [--json]
                   (lead is amoCRM's lead = the deal; client/contact the person; inbound Envybox's lead)
  crmd limits set --db DSN --account ID --dialect amocrm|uis|envybox
                   [--per-second N] [--per-minute N] [--per-day N] [--json]
                   (0: no limit; -1: back to the default; omitted: unchanged)
  crmd integration create --db DSN --account ID --name NAME --redirect-uri URL
                   [--disconnect-url URL] [--json]
                   an amoCRM OAuth 2.0 integration: prints client_id and client_secret (once)
  crmd integration authorize --db DSN --client-id ID --user ID [--json]
                   an authorization code, as the consent page at /oauth gives
  crmd integration list --db DSN --account ID [--json]
                   the account's integrations with their live grants (no secrets)
  crmd integration revoke --db DSN --account ID --client-id ID [--allow-private] [--json]
                   cut every code and token of the integration at once, refuse it new
                   grants, then call its disconnect hook once (--allow-private: let it
                   reach private addresses; env CRMD_WEBHOOK_ALLOW_PRIVATE)
` + webhookUsage + reportUsage + backupUsage + exportUsage + importUsage + `  crmd healthcheck [--url URL] [--timeout 5s] [--insecure]
                   GET /healthz of the server CRMD_ADDR names (or URL); exit 0 on 200, else 1
  crmd version                                    the build's version and commit

DSN: sqlite:PATH or a bare PATH (SQLite, default crmd.db), or postgres://…
`

// errUsage marks errors that should print the usage text.
var errUsage = errors.New("usage")

// Run runs the command named by args (without the program name).
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return m.serve(ctx, args[1:])
	case "migrate":
		return m.migrate(ctx, args[1:])
	case "account":
		if len(args) > 1 && args[1] == "create" {
			return m.accountCreate(ctx, args[2:])
		}
		if len(args) > 1 && args[1] == "link-agent" { // UIS agents
			return m.accountLinkAgent(ctx, args[2:])
		}
		if len(args) > 1 && args[1] == "currency" {
			return m.accountCurrency(ctx, args[2:])
		}
	case "user":
		if len(args) > 1 && args[1] == "create" {
			return m.userCreate(ctx, args[2:])
		}
		if len(args) > 1 && args[1] == "password" { // UIS login.user
			return m.userPassword(ctx, args[2:])
		}
		if len(args) > 1 && (args[1] == "role" || args[1] == "deactivate" || args[1] == "activate") {
			return m.userAdmin(ctx, args[1], args[2:]) // user_admin.go
		}
	case "department":
		if len(args) > 1 && args[1] == "create" {
			return m.departmentCreate(ctx, args[2:])
		}
	case "pipeline":
		if len(args) > 1 && args[1] == "create" {
			return m.pipelineCreate(ctx, args[2:])
		}
	case "field": // field.go
		if len(args) > 1 && args[1] == "create" {
			return m.fieldCreate(ctx, args[2:])
		}
	case "integration": // integration.go
		return m.integration(ctx, args[1:])
	case "webhook": // webhook.go
		return m.webhook(ctx, args[1:])
	case "limits":
		if len(args) > 1 && args[1] == "set" {
			return m.limitsSet(ctx, args[2:])
		}
	case "report": // report.go
		return m.report(ctx, args[1:])
	case "backup": // backup.go
		return m.backup(ctx, args[1:])
	case "export": // export.go
		return m.export(ctx, args[1:])
	case "import": // import.go
		return m.importRows(ctx, args[1:])
	case "version", "--version", "-v": // version.go
		fmt.Fprintln(m.Stdout, BuildInfo())
		return nil
	case "healthcheck": // healthcheck.go
		return m.healthcheck(ctx, args[1:])
	case "help", "--help", "-h":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, strings.Join(args, " "))
}

// IsUsage reports whether err is a command-line usage error (exit code 2).
func IsUsage(err error) bool { return errors.Is(err, errUsage) }

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

func (m *Main) env(key, fallback string) string {
	if v := m.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	addr := fs.String("addr", m.env("CRMD_ADDR", DefaultAddr), "`HOST:PORT` to listen on (env CRMD_ADDR)")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	lifecycle := fs.Duration("lifecycle-interval", 10*time.Minute, "how often customers move on by the passage of time (0: never)")
	limitsOn, err := strconv.ParseBool(m.env("CRMD_LIMITS", "true"))
	if err != nil {
		return fmt.Errorf("%w: CRMD_LIMITS: %q is not a boolean", errUsage, m.Getenv("CRMD_LIMITS"))
	}
	limits := fs.Bool("limits", limitsOn, "apply request limits (env CRMD_LIMITS; false switches them off)")
	drainDefault, err := time.ParseDuration(m.env("CRMD_SHUTDOWN_TIMEOUT", DefaultShutdownTimeout.String()))
	if err != nil || drainDefault <= 0 {
		return fmt.Errorf("%w: CRMD_SHUTDOWN_TIMEOUT: %q is not a positive duration", errUsage, m.Getenv("CRMD_SHUTDOWN_TIMEOUT"))
	}
	drain := fs.Duration("shutdown-timeout", drainDefault,
		"on SIGTERM, how long in-flight requests may finish before their connections are closed (env CRMD_SHUTDOWN_TIMEOUT)")
	proxyList := fs.String("trusted-proxies", m.env("CRMD_TRUSTED_PROXIES", ""),
		"`CIDR,…` of reverse proxies whose X-Forwarded-For names the widget's visitor; a bare IP is one address (env CRMD_TRUSTED_PROXIES; empty: none)")
	tlsFiles := m.tlsFlags(fs) // tls.go
	logFormat := fs.String("log-format", m.env("CRMD_LOG_FORMAT", LogText), "log lines as `text` or json (env CRMD_LOG_FORMAT)")
	publicURL := fs.String("public-url", m.env("CRMD_PUBLIC_URL", ""),
		"`URL` users reach crmd at; OAuth's referer is the account's subdomain on its host (env CRMD_PUBLIC_URL)")
	metricsAddr := fs.String("metrics-addr", m.env("CRMD_METRICS_ADDR", ""),
		"`HOST:PORT` of a separate listener serving /metrics (env CRMD_METRICS_ADDR; empty: no metrics)")
	allowPrivate, err := strconv.ParseBool(m.env("CRMD_WEBHOOK_ALLOW_PRIVATE", "false"))
	if err != nil {
		return fmt.Errorf("%w: CRMD_WEBHOOK_ALLOW_PRIVATE: %q is not a boolean", errUsage, m.Getenv("CRMD_WEBHOOK_ALLOW_PRIVATE"))
	}
	webhookPrivate := fs.Bool("webhook-allow-private", allowPrivate,
		"let webhooks reach loopback, private and link-local addresses (env CRMD_WEBHOOK_ALLOW_PRIVATE; off: refused when sending)")
	webhookLease := fs.Duration("webhook-lease", time.Minute,
		"how long a webhook delivery being sent stays with this process; if it dies, another sends it again after this")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *webhookLease < 15*time.Second {
		// The lease must outlast the longest attempt (crmd's own webhooks
		// wait 10 s for an answer), or a slow answer would be sent twice.
		return fmt.Errorf("%w: --webhook-lease: %s is shorter than 15s", errUsage, *webhookLease)
	}
	tlsCert, tlsKey, err := tlsFiles()
	if err != nil {
		return err
	}
	log, err := NewLogger(m.Stderr, *logFormat)
	if err != nil {
		return fmt.Errorf("%w: --log-format: %v", errUsage, err)
	}
	if *drain <= 0 {
		return fmt.Errorf("%w: --shutdown-timeout: %s is not a positive duration", errUsage, *drain)
	}
	proxies, err := widget.ParseTrustedProxies(*proxyList)
	if err != nil {
		return fmt.Errorf("%w: --trusted-proxies: %v", errUsage, err)
	}
	public, err := web.ParsePublicURL(*publicURL)
	if err != nil {
		return fmt.Errorf("%w: --public-url: %v", errUsage, err)
	}
	srv, err := Start(ctx, ServerConfig{PublicURL: public, Addr: *addr, DSN: *dsn, Logger: log, LifecycleInterval: *lifecycle, Limits: *limits,
		ShutdownTimeout: *drain, TrustedProxies: proxies, TLSCertFile: tlsCert, TLSKeyFile: tlsKey, MetricsAddr: *metricsAddr,
		WebhookAllowPrivate: *webhookPrivate, WebhookLease: *webhookLease})
	if err != nil {
		return err
	}
	if err := m.bootstrap(ctx, srv); err != nil {
		srv.Shutdown(ctx)
		return err
	}
	build := BuildInfo()
	log.Info("crmd serving", "url", srv.URL(), "db", srv.DB.Dialect(), "version", build.Version, "commit", build.Commit,
		"limits", *limits, "trusted_proxies", proxies, "metrics", srv.MetricsURL())

	stop := m.Signals
	if stop == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(ch)
		stop = ch
	}
	select {
	case err := <-srv.Done():
		srv.DB.Close()
		return err
	case sig := <-stop:
		log.Info("shutting down: draining in-flight requests", "signal", sig.String(), "drain", drain.String())
	case <-ctx.Done():
	}
	// Not ctx: it may be what ended the wait, and the drain window is the
	// server's own (ServerConfig.ShutdownTimeout).
	return srv.Shutdown(context.Background())
}

// bootstrap creates the first account on an empty database and prints its
// credentials once. When several processes start on one empty database, the
// ones that lose the race for the subdomain just carry on.
func (m *Main) bootstrap(ctx context.Context, srv *Server) error {
	n, err := srv.DB.CountAccounts(ctx)
	if err != nil || n > 0 {
		return err
	}
	creds, err := srv.Authority.CreateAccount(ctx, crm.NewAccount{Name: "crmd", Subdomain: "crmd"})
	if crm.KindOf(err) == crm.KindConflict {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create the first account: %w", err)
	}
	password, err := auth.GeneratePassword()
	if err == nil {
		err = srv.Authority.SetPassword(ctx, creds.UserID, password)
	}
	if err != nil {
		return fmt.Errorf("set the administrator's password: %w", err)
	}
	fmt.Fprintf(m.Stdout, `crmd: the database was empty, so it now has a first account.
  base URL:               %s
  account:                id %d, subdomain %q, administrator user id %d
  web sign-in:            %s/login  login %d  password %s
  amoCRM bearer token:    %s
  Envybox api_key:        %s
  UIS access_token:       %s
These secrets are shown only this once: crmd stores only their hashes
(change the password with crmd user password).
Try: curl -H 'Authorization: Bearer %s' %s/api/v4/account
`, srv.URL(), creds.AccountID, creds.Subdomain, creds.UserID, srv.URL(), creds.UserID, password, creds.AmoCRMToken, creds.EnvyboxAPIKey, creds.UISAccessToken,
		creds.AmoCRMToken, srv.URL())
	return nil
}

func (m *Main) openDB(ctx context.Context, dsn string) (*store.DB, *auth.Authority, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	a, err := auth.New(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, a, nil
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := m.flags("migrate")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(m.Stdout, "crmd: %s database is up to date\n", db.Dialect())
	return nil
}

func (m *Main) accountCreate(ctx context.Context, args []string) error {
	fs := m.flags("account create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	name := fs.String("name", "", "account `NAME` (required)")
	subdomain := fs.String("subdomain", "", "account subdomain (default: derived from the name)")
	tz := fs.String("timezone", crm.DefaultTimeZone, "IANA time `ZONE` for local date strings")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("%w: --name is required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: *name, Subdomain: *subdomain, TimeZone: *tz})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(creds)
	}
	fmt.Fprintf(m.Stdout, "account %d (%s), administrator user %d\namoCRM bearer token: %s\nEnvybox api_key: %s\nUIS access_token: %s\n",
		creds.AccountID, creds.Subdomain, creds.UserID, creds.AmoCRMToken, creds.EnvyboxAPIKey, creds.UISAccessToken)
	return nil
}

// accountCurrency is "crmd account currency": the currency the account's
// prices are in, as its first administrator would set it.
func (m *Main) accountCurrency(ctx context.Context, args []string) error {
	fs := m.flags("account currency")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	currency := fs.String("currency", "", "ISO 4217 currency `CODE` such as RUB, USD, EUR (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *currency == "" {
		return fmt.Errorf("%w: --account and --currency are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := crm.NewService(db).SetAccountCurrency(ctx, admin, *currency); err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"account_id": *account, "currency": *currency})
	}
	fmt.Fprintf(m.Stdout, "account %d: currency %s\n", *account, *currency)
	return nil
}

func (m *Main) userCreate(ctx context.Context, args []string) error {
	fs := m.flags("user create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	name := fs.String("name", "", "user `NAME` (required)")
	role := fs.String("role", string(crm.RoleMember), "`ROLE`: admin or member")
	surname := fs.String("surname", "", "surname")
	email := fs.String("email", "", "email")
	profession := fs.String("profession", "", "job title")
	phone := fs.String("phone", "", "internal phone number")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *name == "" {
		return fmt.Errorf("%w: --account and --name are required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := a.CreateUser(ctx, crm.NewUser{AccountID: *account, Name: *name, Role: crm.Role(*role),
		Surname: *surname, Email: *email, Profession: *profession, Phone: *phone})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(creds)
	}
	fmt.Fprintf(m.Stdout, "user %d\namoCRM bearer token: %s\nUIS access_token: %s\n", creds.UserID, creds.AmoCRMToken, creds.UISAccessToken)
	return nil
}

// describe turns a domain error into a one-line message for the terminal.
func describe(err error) error {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = "--" + v.Path + ": " + v.Detail
	}
	return errors.New(strings.Join(parts, "; "))
}

// openAsAdmin opens the database and finds the account's first
// administrator, whom the account commands act as; the caller closes the
// database.
func openAsAdmin(ctx context.Context, dsn string, accountID int64) (*store.DB, crm.Actor, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, crm.Actor{}, err
	}
	admin, err := adminOf(ctx, db, accountID)
	if err != nil {
		db.Close()
		return nil, crm.Actor{}, describe(err)
	}
	return db, admin, nil
}

// adminOf returns the first active administrator of an account, the actor of
// administrative CLI commands.
func adminOf(ctx context.Context, db *store.DB, accountID int64) (crm.Actor, error) {
	var actor crm.Actor
	err := db.View(ctx, accountID, func(tx crm.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == crm.RoleAdmin && u.Active() {
				actor = crm.Actor{AccountID: accountID, UserID: u.ID, Role: crm.RoleAdmin}
				return nil
			}
		}
		return fmt.Errorf("account %d has no administrator", accountID)
	})
	return actor, err
}

func (m *Main) departmentCreate(ctx context.Context, args []string) error {
	fs := m.flags("department create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	name := fs.String("name", "", "department `NAME` (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *name == "" {
		return fmt.Errorf("%w: --account and --name are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := crm.NewService(db).AddDepartment(ctx, admin, *name)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"department_id": d.ID, "name": d.Name})
	}
	fmt.Fprintf(m.Stdout, "department %d (%s)\n", d.ID, d.Name)
	return nil
}

// parseStages reads "Name:status,Name:status" (status 2001 new, 2002 in
// work, 2003 won, 2004 lost).
func parseStages(spec string) ([]crm.Stage, error) {
	var out []crm.Stage
	for _, part := range strings.Split(spec, ",") {
		name, status, ok := strings.Cut(strings.TrimSpace(part), ":")
		n, err := strconv.Atoi(strings.TrimSpace(status))
		if !ok || err != nil || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%w: --stages: %q is not NAME:STATUS", errUsage, part)
		}
		out = append(out, crm.Stage{Name: strings.TrimSpace(name), Status: crm.StageStatus(n)})
	}
	return out, nil
}

func (m *Main) pipelineCreate(ctx context.Context, args []string) error {
	fs := m.flags("pipeline create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	name := fs.String("name", "", "pipeline `NAME` (required)")
	stages := fs.String("stages", "Новая:2001,В работе:2002,Успешно реализована:2003,Не реализована:2004", "stages as NAME:STATUS,… (2001 new, 2002 in work, 2003 won, 2004 lost)")
	manual := fs.Bool("manual", true, "allow changing stages by hand (through the APIs)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *name == "" {
		return fmt.Errorf("%w: --account and --name are required", errUsage)
	}
	list, err := parseStages(*stages)
	if err != nil {
		return err
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := crm.NewService(db).AddPipeline(ctx, admin, crm.Pipeline{Name: *name, AllowManualStageChange: *manual, Stages: list})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		ids := make([]int64, len(p.Stages))
		for i, st := range p.Stages {
			ids[i] = st.ID
		}
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"pipeline_id": p.ID, "stage_ids": ids})
	}
	fmt.Fprintf(m.Stdout, "pipeline %d (%s) with %d stages\n", p.ID, p.Name, len(p.Stages))
	return nil
}
