// Package bench is crmd's load and scale benchmark: it seeds an account at a
// chosen scale through the store's bulk path, runs crmd as a separate
// process, drives HTTP scenarios of every dialect against it and reports
// each figure as a ratio to baselines measured in the same run on the same
// machine (cmd/crmdbench; docs/PERFORMANCE.md).
package bench
