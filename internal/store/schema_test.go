package store_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
	"qualify/internal/platform/migrate"
	"qualify/internal/store/migrations"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// column is a column reduced to what both dialects can agree on.
type column struct {
	Name     string
	Class    string // integer, text, time, date, bool, real
	Nullable bool
}

func classOf(t string) string {
	t = strings.ToLower(t)
	switch {
	case strings.Contains(t, "int"), strings.Contains(t, "serial"):
		return "integer"
	case strings.Contains(t, "timestamp"):
		return "time"
	case t == "date":
		return "date"
	case strings.Contains(t, "bool"):
		return "bool"
	case strings.Contains(t, "real"), strings.Contains(t, "double"), strings.Contains(t, "numeric"), strings.Contains(t, "float"):
		return "real"
	case strings.Contains(t, "text"), strings.Contains(t, "char"), strings.Contains(t, "json"):
		return "text"
	case strings.Contains(t, "blob"), strings.Contains(t, "bytea"):
		return "bytes"
	}
	return t
}

func schemaOf(t *testing.T, d *db.DB) map[string][]column {
	t.Helper()
	out := map[string][]column{}
	ctx := context.Background()
	switch d.Dialect {
	case db.Postgres:
		rows, err := d.SQL().QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'YES'
			FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var tbl string
			var c column
			var typ string
			if err := rows.Scan(&tbl, &c.Name, &typ, &c.Nullable); err != nil {
				t.Fatal(err)
			}
			c.Class = classOf(typ)
			out[tbl] = append(out[tbl], c)
		}
	case db.SQLite:
		rows, err := d.SQL().QueryContext(ctx, `SELECT m.name, p.name, p.type, p."notnull" = 0 AND p.pk = 0
			FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var tbl string
			var c column
			var typ string
			if err := rows.Scan(&tbl, &c.Name, &typ, &c.Nullable); err != nil {
				t.Fatal(err)
			}
			c.Class = classOf(typ)
			out[tbl] = append(out[tbl], c)
		}
	}
	return out
}

func indexesOf(t *testing.T, d *db.DB) []string {
	t.Helper()
	q := `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'`
	if d.Dialect == db.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'`
	}
	rows, err := d.SQL().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n) //nolint:errcheck
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestDialectsReachSameSchema checks that the SQLite and PostgreSQL migrations produce the same
// tables, columns (name, type class, nullability) and named indexes.
func TestDialectsReachSameSchema(t *testing.T) {
	lite := dbtest.Open(t, db.SQLite)
	pg := dbtest.Open(t, db.Postgres)
	a, b := schemaOf(t, lite), schemaOf(t, pg)
	for tbl, cols := range a {
		other, ok := b[tbl]
		if !ok {
			t.Errorf("table %s exists on SQLite only", tbl)
			continue
		}
		if len(cols) != len(other) {
			t.Errorf("table %s: %d columns on SQLite, %d on PostgreSQL", tbl, len(cols), len(other))
			continue
		}
		for i := range cols {
			if cols[i] != other[i] {
				t.Errorf("table %s: SQLite %+v, PostgreSQL %+v", tbl, cols[i], other[i])
			}
		}
	}
	for tbl := range b {
		if _, ok := a[tbl]; !ok {
			t.Errorf("table %s exists on PostgreSQL only", tbl)
		}
	}
	ia, ib := indexesOf(t, lite), indexesOf(t, pg)
	if strings.Join(ia, ",") != strings.Join(ib, ",") {
		t.Errorf("indexes differ:\n sqlite   %v\n postgres %v", ia, ib)
	}
}

// TestMigrationsHaveSameVersions checks that each dialect has a file for every version.
func TestMigrationsHaveSameVersions(t *testing.T) {
	a, err := migrate.Load(migrations.FS, db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := migrate.Load(migrations.FS, db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Version != b[i].Version || a[i].Name != b[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, a[i].Version, a[i].Name, b[i].Version, b[i].Name)
		}
	}
}

// TestMigrateConcurrently starts several migrators on one empty database at once, as several
// instances starting together do: each version is applied exactly once and all succeed.
func TestMigrateConcurrently(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			u := dbtest.EmptyURL(t, dialect)
			want, err := migrate.Load(migrations.FS, dialect)
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 4)
			applied := make(chan int, 4)
			for i := 0; i < 4; i++ {
				go func() {
					d, err := db.Open(u, db.Options{Logger: dbtest.Logger()})
					if err != nil {
						errs <- err
						return
					}
					defer d.Close()
					v, err := migrate.Up(context.Background(), d, migrations.FS)
					applied <- len(v)
					errs <- err
				}()
			}
			total := 0
			for i := 0; i < 4; i++ {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			close(applied)
			for n := range applied {
				total += n
			}
			if total != len(want) {
				t.Fatalf("concurrent migrators applied %d versions in all, want %d (each once)", total, len(want))
			}
		})
	}
}
