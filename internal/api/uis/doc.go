// Package uis is the UIS (CoMagic) Data API v2.0 dialect: JSON-RPC 2.0 over
// POST /v2.0, with the access_token inside params.
//
// It serves the sales funnel family (get, create, update and delete of
// sales_funnel and sales_funnel_stages) over crm's deal pipelines, so a
// funnel made here is the pipeline amoCRM and Envybox show, and login.user /
// logout.user over internal/auth's sessions. Agents act for their clients'
// users through user_id (crm.Service.ActAs). Requests are counted by
// ratelimit.Limiter and reported in metadata.limits; failed login.user
// attempts are throttled by internal/auth.
//
// The package only translates: params are read strictly (types, unknown
// members, required members) into crm inputs, and crm's error kinds into
// UIS's error object {code, message, data: {mnemonic, field, value, params}}
// with the documented codes and messages. Every JSON-RPC reply is HTTP 200.
// The decisions UIS leaves open are in docs/uis.md.
package uis
