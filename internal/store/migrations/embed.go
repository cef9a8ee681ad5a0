// Package migrations holds Qualify's versioned SQL schema, one folder per dialect with the same
// versions in each. Files are append-only: a change is a new version, never an edit.
package migrations

import "embed"

// FS holds postgres/NNNN_name.sql and sqlite/NNNN_name.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
