// Package questionbank embeds the repository's reviewed question bank (question-bank/<subject>/*.yaml)
// so that `qualify demo` and `qualify bank import` work from the binary alone.
package questionbank

import "embed"

// FS holds <subject>/*.yaml and SCHEMA.md.
//
//go:embed */*.yaml SCHEMA.md
var FS embed.FS
