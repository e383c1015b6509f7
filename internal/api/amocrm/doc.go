// Package amocrm serves the amoCRM REST API v4 dialect: customer statuses and
// segments (seed 000), the customers mode, the account, and custom fields of
// segments. It only translates: JSON and query strings in, crm.Service calls,
// HAL JSON out; domain errors become application/problem+json bodies.
package amocrm
