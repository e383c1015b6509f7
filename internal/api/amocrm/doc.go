// Package amocrm serves the amoCRM REST API v4 dialect: customer statuses and
// segments (seed 000), the customers mode, the account, and custom fields of
// segments. It only translates: JSON and query strings in, crm.Service calls,
// HAL JSON out; domain errors become application/problem+json bodies. It
// also makes amoCRM's webhook bodies (WebhookFormat), which internal/webhook
// sends: the format is the dialect's, the delivery is not.
package amocrm
