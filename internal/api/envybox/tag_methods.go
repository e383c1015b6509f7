package envybox

import (
	"context"
	"encoding/json"
	"fmt"
)

// dealAddTags is E26 deal/tag/addDealTags: tags by name, added to the
// deal's (missing tags are created as the shared tag records, names the
// deal has are not repeated); no result. An unknown deal is "Сделка не
// найдена".
func (h *handler) dealAddTags(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	list, err := c.req.list("tags")
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, badRequest("Не указан tags")
	}
	names := make([]string, 0, len(list))
	for i, x := range list {
		switch v := x.(type) {
		case string:
			names = append(names, v)
		case json.Number:
			names = append(names, v.String())
		default:
			return nil, badRequest(fmt.Sprintf("tags[%d] должен быть строкой", i))
		}
	}
	return nil, h.svc.AddDealTags(ctx, c.actor, id, names)
}
