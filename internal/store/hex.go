package store

import "encoding/hex"

// hexString is how binary secrets' hashes are stored: as text, so that one
// column type serves both databases.
func hexString(b []byte) string { return hex.EncodeToString(b) }
