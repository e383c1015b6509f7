package cli_test

// env is a fixed environment for cli.Main.Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }
