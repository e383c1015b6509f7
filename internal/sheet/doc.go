// Package sheet reads and writes the table files people move data in:
// CSV (UTF-8 with or without a byte-order mark, or Windows-1251) and XLSX.
// Both directions stream, row by row, so a million-row file never sits in
// memory. It knows nothing of CRM records: package transfer maps rows to
// and from the domain.
package sheet
