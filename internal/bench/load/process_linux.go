package load

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has Linux kill the server if the benchmark itself
// dies, so that a crashed or interrupted run leaves no server holding a
// port or a database.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
