package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// sniffSize is how much of a CSV file's start the delimiter is guessed
// from.
const sniffSize = 64 << 10

// sniffLines is how many lines of that start the guess weighs.
const sniffLines = 20

// openCSV detects the encoding (a byte-order mark means UTF-8; a file that
// is valid UTF-8 throughout is UTF-8; anything else is taken for
// Windows-1251, the other encoding Russian spreadsheets are saved in) and
// the delimiter, then streams records.
func openCSV(ra io.ReaderAt, size int64) (*Reader, error) {
	info := Info{Format: CSV}
	var body io.Reader = io.NewSectionReader(ra, 0, size)
	var bom [3]byte
	n, _ := ra.ReadAt(bom[:], 0)
	switch {
	case n == 3 && bytes.Equal(bom[:], []byte("\xef\xbb\xbf")):
		info.Encoding = UTF8BOM
		body = io.NewSectionReader(ra, 3, size-3)
	default:
		ok, err := validUTF8(io.NewSectionReader(ra, 0, size))
		if err != nil {
			return nil, err
		}
		info.Encoding = UTF8
		if !ok {
			info.Encoding = CP1251
			body = charmap.Windows1251.NewDecoder().Reader(body)
		}
	}
	br := bufio.NewReaderSize(body, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	info.Delimiter = guessDelimiter(head)
	cr := csv.NewReader(br)
	cr.Comma = info.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	row := 0
	return &Reader{info: info, next: func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			if pe, ok := err.(*csv.ParseError); ok {
				return nil, row, formatErr("CSV line %d: %v", pe.Line, pe.Err)
			}
			return nil, row, err
		}
		row++
		return rec, row, nil
	}}, nil
}

// validUTF8 reads r through and reports whether it is valid UTF-8. It
// reads in blocks, carrying a rune cut at a block's end into the next.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		chunk := buf[:n]
		// Keep an incomplete rune at the end for the next block.
		cut := len(chunk)
		for i := 1; i <= utf8.UTFMax && i <= len(chunk); i++ {
			b := chunk[len(chunk)-i]
			if b < 0x80 {
				break
			}
			if utf8.RuneStart(b) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if err == io.EOF {
			return utf8.Valid(chunk), nil
		}
		if err != nil {
			return false, err
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = copy(buf, chunk[cut:])
	}
}

// guessDelimiter picks among ',', ';' and tab the one that splits the
// first lines of head into the same, largest number of fields, counting
// only separators outside quotes (so "Иванов, Иван" does not count a
// comma). Ties go to ';' then ',' then tab; a file with none of them
// (one column) is comma-separated.
func guessDelimiter(head []byte) rune {
	candidates := []rune{';', ',', '\t'}
	best, bestScore := ',', 0
	for _, c := range candidates {
		counts := fieldCounts(head, c)
		if len(counts) == 0 {
			continue
		}
		// The score is the fewest separators on a line, so a delimiter
		// that appears on every line beats one that appears on some.
		lo := counts[0]
		for _, k := range counts[1:] {
			lo = min(lo, k)
		}
		if lo > bestScore {
			best, bestScore = c, lo
		}
	}
	return best
}

// fieldCounts counts c outside quotes on each of the first sniffLines
// complete lines of head (a line break inside quotes continues the line).
func fieldCounts(head []byte, c rune) []int {
	var out []int
	quoted, count, start := false, 0, true
	for _, b := range string(head) {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == c:
			count++
		case b == '\r':
			continue
		case b == '\n' && start:
			continue // a blank line says nothing
		case b == '\n':
			out = append(out, count)
			count, start = 0, true
			if len(out) == sniffLines {
				return out
			}
			continue
		}
		start = false
	}
	// The last line counts when head held the whole file (no cut line).
	if !start && len(head) < sniffSize {
		out = append(out, count)
	}
	return out
}
