//go:build !linux

package load

import "os/exec"

// setParentDeathSignal does nothing: only Linux offers a parent-death
// signal; elsewhere Stop is the only way the server ends.
func setParentDeathSignal(*exec.Cmd) {}
