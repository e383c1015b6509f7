package store

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// A page of deals with its details was the page's statement, then one
// statement per part for the page's ids (crm's loadDealDetails: inbounds,
// service values, custom values, tags; amoCRM's leads: custom values and
// tags), each a trip through database/sql and the driver, with a map of
// the page's rows built per part. The page's statement now carries each
// part asked for (DealQuery.Parts, LeadQuery.Parts) as a correlated
// subquery per deal, the same subqueries DealWithParts reads one deal's
// parts with, decoded by the same code: one statement a page.

// dealPageParts are the parts a page's statement can read with its deals:
// those crm.Deal has fields for.
const dealPageParts = crm.DealPartInbounds | crm.DealPartServiceValues | crm.DealPartFields | crm.DealPartTags

// dealPartColumns are the subqueries of parts (within dealPageParts), in
// dealPartOrder, each after a comma, to follow dealColumns; scanDealPage
// reads them.
func dealPartColumns(d dialect, parts crm.DealPart) string {
	parts &= dealPageParts
	if parts == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range dealPartOrder {
		if parts&p != 0 {
			b.WriteString(", ")
			b.WriteString(dealPartQuery(d, p))
		}
	}
	return b.String()
}

// scanDealPage reads a page of deals whose columns are dealColumns then
// dealPartColumns(parts), filling each deal's parts as the separate reads
// do (nil when it has none), and closes rows.
func scanDealPage(rows *sql.Rows, total int, parts crm.DealPart) ([]crm.Deal, int, error) {
	parts &= dealPageParts
	if parts == 0 {
		return scanDeals(rows, total)
	}
	defer rows.Close()
	var order []crm.DealPart
	for _, p := range dealPartOrder {
		if parts&p != 0 {
			order = append(order, p)
		}
	}
	raw := make([][]byte, len(order))
	dest := make([]any, len(order))
	for i := range raw {
		dest[i] = &raw[i]
	}
	var links crm.DealLinks // no part of dealPageParts fills it
	out := []crm.Deal{}
	for rows.Next() {
		d, err := scanDeal(extraColumns{rows, dest})
		if err != nil {
			return nil, 0, err
		}
		for i, p := range order {
			if len(raw[i]) == 0 {
				continue
			}
			if err := decodeDealPart(&d, &links, p, raw[i]); err != nil {
				return nil, 0, fmt.Errorf("decode deal %d: %w", d.ID, err)
			}
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}
