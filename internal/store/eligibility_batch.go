package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/eligibility"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/db"
	"qualify/internal/training"
)

// The bulk reads and writes of a batch check (批量核查) go around gorm, whose reflection would cost
// more than the queries for a roster of 100,000 cadres: through database/sql, and on PostgreSQL
// through pgx itself, which scans rows at a fraction of database/sql's cost and stores the checks
// with COPY.

// bulkChunk bounds the values bound to one statement: below SQLite's 32,766 variables and
// PostgreSQL's 65,535 parameters whatever the columns.
const bulkChunk = 2000

// anyChunk is the most values passed as one array on PostgreSQL (a batch passes a chunk's).
const anyChunk = 50000

type eligibilityBatchRow struct {
	ID              int64 `gorm:"primaryKey"`
	OrgPath         string
	FileName        string
	FileSha256      string `gorm:"column:file_sha256"`
	RowCount        int
	EligibleCount   int
	IneligibleCount int
	ProblemCount    int
	Digest          string
	CreatedAt       time.Time
	CreatedBy       string
}

func (eligibilityBatchRow) TableName() string { return "eligibility_batches" }

func toBatch(r eligibilityBatchRow) eligibility.Batch {
	return eligibility.Batch{ID: r.ID, OrgPath: r.OrgPath, FileName: r.FileName, FileSHA256: r.FileSha256, Rows: r.RowCount,
		Eligible: r.EligibleCount, Ineligible: r.IneligibleCount, Problems: r.ProblemCount, Digest: r.Digest,
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

func batchRowFrom(b eligibility.Batch) eligibilityBatchRow {
	return eligibilityBatchRow{ID: b.ID, OrgPath: b.OrgPath, FileName: b.FileName, FileSha256: b.FileSHA256, RowCount: b.Rows,
		EligibleCount: b.Eligible, IneligibleCount: b.Ineligible, ProblemCount: b.Problems, Digest: b.Digest,
		CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy}
}

// CreateEligibilityBatch inserts a batch record and sets b.ID.
func (s *Store) CreateEligibilityBatch(ctx context.Context, b *eligibility.Batch) error {
	r := batchRowFrom(*b)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	b.ID = r.ID
	return nil
}

// UpdateEligibilityBatch writes b's counts and digest.
func (s *Store) UpdateEligibilityBatch(ctx context.Context, b eligibility.Batch) error {
	return s.conn(ctx).Model(&eligibilityBatchRow{}).Where("id = ?", b.ID).Updates(map[string]any{
		"row_count": b.Rows, "eligible_count": b.Eligible, "ineligible_count": b.Ineligible, "problem_count": b.Problems,
		"digest": b.Digest}).Error
}

// EligibilityBatchByID returns the batch record, or nil.
func (s *Store) EligibilityBatchByID(ctx context.Context, id int64) (*eligibility.Batch, error) {
	var rows []eligibilityBatchRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	b := toBatch(rows[0])
	return &b, nil
}

type bulkConnKey struct{}

// InBulkTx runs fn in a transaction as InTx does, on a connection of its own that the bulk
// writes reach past database/sql (PostgreSQL COPY). Inside a transaction already, fn joins it.
func (s *Store) InBulkTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.InTxFrom(ctx) {
		return fn(ctx)
	}
	conn, err := s.db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// gorm begins the transaction on whatever its session's pool is: here the one connection.
	g := s.db.Gorm.Session(&gorm.Session{Context: ctx})
	g.Statement.ConnPool = conn
	on := *s.db
	on.Gorm = g
	return on.InTx(context.WithValue(ctx, bulkConnKey{}, conn), fn)
}

// withPgx calls fn with the pgx connection under the transaction of ctx, when ctx carries an
// InBulkTx transaction on PostgreSQL; ok reports whether it did.
func (s *Store) withPgx(ctx context.Context, fn func(c *pgx.Conn) error) (ok bool, err error) {
	conn, _ := ctx.Value(bulkConnKey{}).(*sql.Conn)
	if conn == nil || !s.isPostgres() {
		return false, nil
	}
	err = conn.Raw(func(dc any) error {
		c, isPgx := dc.(*stdlib.Conn)
		if !isPgx {
			return nil
		}
		ok = true
		return fn(c.Conn())
	})
	return ok, err
}

// query runs a raw query on the transaction (or pool) of ctx; q uses ? placeholders.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.conn(ctx).Statement.ConnPool.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) error {
	_, err := s.conn(ctx).Statement.ConnPool.ExecContext(ctx, s.rebind(q), args...)
	return err
}

// rebind turns the ? placeholders of q into $1, $2 ... on PostgreSQL.
func (s *Store) rebind(q string) string {
	if !s.isPostgres() || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// inChunks calls fn with "col = ANY(?)" and one array argument per anyChunk values on
// PostgreSQL, with "col IN (?, ...)" and bulkChunk arguments on SQLite.
func inChunks[T any](s *Store, col string, vals []T, fn func(cond string, args []any) error) error {
	size := bulkChunk
	if s.isPostgres() {
		size = anyChunk
	}
	for i := 0; i < len(vals); i += size {
		part := vals[i:min(i+size, len(vals))]
		if s.isPostgres() {
			if err := fn(col+" = ANY(?)", []any{part}); err != nil {
				return err
			}
			continue
		}
		args := make([]any, len(part))
		for j, v := range part {
			args[j] = v
		}
		if err := fn(col+" IN (?"+strings.Repeat(", ?", len(part)-1)+")", args); err != nil {
			return err
		}
	}
	return nil
}

// rowScanner is a row of *sql.Rows or of pgx.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// eachRow runs q and calls scan for every row. On PostgreSQL it reads through pgx itself, whose
// scanning costs a fraction of database/sql's: on a pooled connection of its own outside a
// transaction, on the transaction's connection in an InBulkTx.
func (s *Store) eachRow(ctx context.Context, q string, args []any, scan func(rowScanner) error) error {
	each := func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, s.rebind(q), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return scanAll(rows, scan)
	}
	if s.isPostgres() && !db.InTxFrom(ctx) {
		conn, err := s.db.SQL().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		done := false
		err = conn.Raw(func(dc any) error {
			if c, ok := dc.(*stdlib.Conn); ok {
				done = true
				return each(c.Conn())
			}
			return nil
		})
		if done || err != nil {
			return err
		}
	} else if ok, err := s.withPgx(ctx, each); ok || err != nil {
		return err
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanAll(rows, scan)
}

// scanAll calls scan for each row of rows (*sql.Rows or pgx.Rows) and returns the first error.
func scanAll(rows interface {
	rowScanner
	Next() bool
	Err() error
}, scan func(rowScanner) error) error {
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// date scans a DATE into a civil.Date: from pgx directly (pgtype.DateScanner), sparing the
// boxing of its database/sql path, and from database/sql.
type date struct{ d *civil.Date }

// ScanDate takes a DATE from pgx.
func (x date) ScanDate(v pgtype.Date) error {
	switch {
	case !v.Valid:
		*x.d = civil.Date{}
	case v.InfinityModifier != pgtype.Finite:
		return errors.New("infinite date")
	default:
		*x.d = civil.Of(v.Time)
	}
	return nil
}

// Scan takes a DATE from database/sql.
func (x date) Scan(src any) error { return x.d.Scan(src) }

// grouped splits rows, sorted by cadre, into each cadre's rows.
func grouped[T any](rows []T, cadre func(*T) int64) map[int64][]T {
	out := map[int64][]T{}
	for lo := 0; lo < len(rows); {
		id := cadre(&rows[lo])
		hi := lo + 1
		for hi < len(rows) && cadre(&rows[hi]) == id {
			hi++
		}
		out[id] = rows[lo:hi:hi]
		lo = hi
	}
	return out
}

// CadresByCodes returns the cadres with those codes (干部编号) with their orgs' names and paths;
// unknown codes are left out.
func (s *Store) CadresByCodes(ctx context.Context, codes []string) ([]cadre.Cadre, error) {
	out := make([]cadre.Cadre, 0, len(codes))
	err := inChunks(s, "c.code", codes, func(cond string, args []any) error {
		return s.eachRow(ctx, `SELECT c.id, c.org_id, c.code, c.name, c.gender, c.birth_date, c.ethnicity, c.education,
			c.party_join_date, c.work_start_date, c.reserve, c.current_post, c.post_level, c.rank_category, c.rank_code,
			c.post_category, c.term_start, c.term_end, c.created_at, c.updated_at, o.name, o.path
			FROM cadres c JOIN orgs o ON o.id = c.org_id WHERE `+cond, args, func(rows rowScanner) error {
			var r cadreOrgRow
			x := &r.Cadre
			if err := rows.Scan(&x.ID, &x.OrgID, &x.Code, &x.Name, &x.Gender, date{&x.BirthDate}, &x.Ethnicity, &x.Education,
				date{&x.PartyJoinDate}, date{&x.WorkStartDate}, &x.Reserve, &x.CurrentPost, &x.PostLevel, &x.RankCategory, &x.RankCode,
				&x.PostCategory, date{&x.TermStart}, date{&x.TermEnd}, &x.CreatedAt, &x.UpdatedAt, &r.OrgName, &r.OrgPath); err != nil {
				return err
			}
			out = append(out, toCadreWithOrg(r))
			return nil
		})
	})
	return out, err
}

// PostRecordsOf returns the post histories of the cadres ids by cadre, each oldest first (as
// PostRecords). The bulk reads sort in Go, sparing the database a sort of every row they read.
func (s *Store) PostRecordsOf(ctx context.Context, ids []int64) (map[int64][]cadre.PostRecord, error) {
	all := make([]cadre.PostRecord, 0, 3*len(ids))
	err := inChunks(s, "cadre_id", ids, func(cond string, args []any) error {
		return s.eachRow(ctx, `SELECT id, cadre_id, title, post_level, rank_category, rank_code, post_category, unit_org_id,
			unit_name, start_date, end_date, grassroots, leadership, probation_end, appointment_type
			FROM post_records WHERE `+cond, args, func(rows rowScanner) error {
			var r postRecordRow
			if err := rows.Scan(&r.ID, &r.CadreID, &r.Title, &r.PostLevel, &r.RankCategory, &r.RankCode, &r.PostCategory,
				&r.UnitOrgID, &r.UnitName, date{&r.StartDate}, date{&r.EndDate}, &r.Grassroots, &r.Leadership, date{&r.ProbationEnd},
				&r.AppointmentType); err != nil {
				return err
			}
			all = append(all, toPostRecord(r))
			return nil
		})
	})
	slices.SortFunc(all, func(a, b cadre.PostRecord) int {
		return cmp.Or(cmp.Compare(a.CadreID, b.CadreID), compareDates(a.Start, b.Start), cmp.Compare(a.ID, b.ID))
	})
	return grouped(all, func(p *cadre.PostRecord) int64 { return p.CadreID }), err
}

// CertificatesOfCadres returns the certificates of the cadres ids by cadre, each newest first
// (as CertificatesOfCadre), with what a check reads of them: number, subject code, issue time and
// date, expiry, status and its reason (the other fields are left zero: a roster of 100,000 cadres
// reads hundreds of thousands of certificates).
func (s *Store) CertificatesOfCadres(ctx context.Context, ids []int64) (map[int64][]cert.Certificate, error) {
	all := make([]cert.Certificate, 0, 2*len(ids))
	err := inChunks(s, "cadre_id", ids, func(cond string, args []any) error {
		return s.eachRow(ctx, `SELECT id, number, cadre_id, subject_code, issued_at, issued_on, expires_on, status, status_reason
			FROM certificates WHERE `+cond, args, func(rows rowScanner) error {
			var r certificateRow
			if err := rows.Scan(&r.ID, &r.Number, &r.CadreID, &r.SubjectCode, &r.IssuedAt, date{&r.IssuedOn}, date{&r.ExpiresOn},
				&r.Status, &r.StatusReason); err != nil {
				return err
			}
			all = append(all, cert.Certificate{ID: r.ID, Number: r.Number, CadreID: r.CadreID,
				SubjectCode: r.SubjectCode, IssuedAt: r.IssuedAt.UTC(), IssuedOn: r.IssuedOn, ExpiresOn: r.ExpiresOn,
				Status: cert.Status(r.Status), StatusReason: r.StatusReason})
			return nil
		})
	})
	slices.SortFunc(all, func(a, b cert.Certificate) int {
		return cmp.Or(cmp.Compare(a.CadreID, b.CadreID), b.IssuedAt.Compare(a.IssuedAt), cmp.Compare(b.ID, a.ID))
	})
	return grouped(all, func(c *cert.Certificate) int64 { return c.CadreID }), err
}

// LedgerOf returns the training ledgers of the cadres ids by cadre, each newest first (as
// Ledger), with what a check reads of them: mode, recognition, hours and dates (course, school
// and creation are left zero).
func (s *Store) LedgerOf(ctx context.Context, ids []int64) (map[int64][]training.LedgerEntry, error) {
	all := make([]training.LedgerEntry, 0, 3*len(ids))
	err := inChunks(s, "cadre_id", ids, func(cond string, args []any) error {
		return s.eachRow(ctx, `SELECT id, cadre_id, mode, recognized, hours, from_date, to_date, year
			FROM training_ledger WHERE `+cond, args, func(rows rowScanner) error {
			var r ledgerRow
			if err := rows.Scan(&r.ID, &r.CadreID, &r.Mode, &r.Recognized, &r.Hours, date{&r.FromDate}, date{&r.ToDate}, &r.Year); err != nil {
				return err
			}
			all = append(all, training.LedgerEntry{ID: r.ID, CadreID: r.CadreID, Mode: training.Mode(r.Mode),
				Recognized: r.Recognized, Hours: r.Hours, From: r.FromDate, To: r.ToDate, Year: r.Year})
			return nil
		})
	})
	slices.SortFunc(all, func(a, b training.LedgerEntry) int {
		return cmp.Or(cmp.Compare(a.CadreID, b.CadreID), compareDates(b.From, a.From), cmp.Compare(b.ID, a.ID))
	})
	return grouped(all, func(e *training.LedgerEntry) int64 { return e.CadreID }), err
}

// EligibilityExceptionsOf returns the exceptions of the cadres ids by cadre, each oldest first
// (as EligibilityExceptions).
func (s *Store) EligibilityExceptionsOf(ctx context.Context, ids []int64) (map[int64][]eligibility.Exception, error) {
	out := map[int64][]eligibility.Exception{}
	err := inChunks(s, "cadre_id", ids, func(cond string, args []any) error {
		return s.eachRow(ctx, `SELECT id, cadre_id, target_level, kind, justification, approver, document_no, rules, note,
			created_at, created_by FROM eligibility_exceptions WHERE `+cond, args, func(rows rowScanner) error {
			var r eligibilityExceptionRow
			if err := rows.Scan(&r.ID, &r.CadreID, &r.TargetLevel, &r.Kind, &r.Justification, &r.Approver, &r.DocumentNo,
				&r.Rules, &r.Note, &r.CreatedAt, &r.CreatedBy); err != nil {
				return err
			}
			out[r.CadreID] = append(out[r.CadreID], toException(r))
			return nil
		})
	})
	for _, es := range out {
		slices.SortFunc(es, func(a, b eligibility.Exception) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, err
}

// compareDates orders two dates.
func compareDates(a, b civil.Date) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day))
}

// rulesText encodes a check's rules as kept in eligibility_checks.rules: the JSON of
// []ruleResultJSON, byte for byte as encoding/json writes it.
func rulesText(rs []eligibility.RuleResult) string {
	var e rulesEncoder
	return string(e.encode(nil, rs))
}

// rulesEncoder writes rules as rulesText does, remembering the encoding of the texts that repeat
// from check to check (codes, titles, legal bases).
type rulesEncoder struct{ seen map[string][]byte }

func (e *rulesEncoder) encode(b []byte, rs []eligibility.RuleResult) []byte {
	b = append(b, '[')
	for i, x := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = e.known(b, x.Code)
		b = append(b, `,"title":`...)
		b = e.known(b, x.Title)
		b = append(b, `,"status":`...)
		b = e.known(b, string(x.Status))
		b = append(b, `,"detail":`...)
		b = appendJSONString(b, x.Detail)
		b = append(b, `,"basis":`...)
		b = e.known(b, x.Basis)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (e *rulesEncoder) known(b []byte, s string) []byte {
	if q, ok := e.seen[s]; ok {
		return append(b, q...)
	}
	q := appendJSONString(nil, s)
	if e.seen == nil {
		e.seen = map[string][]byte{}
	}
	if len(e.seen) < 4096 {
		e.seen[s] = q
	}
	return append(b, q...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as encoding/json does: HTML characters,
// U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// CreateEligibilityChecks inserts the checks, kept exactly as CreateEligibilityCheck keeps one,
// with their BatchID, and sets their IDs, ascending in the order given. PostgreSQL takes each
// chunk as one INSERT over arrays; SQLite as multi-row INSERTs.
func (s *Store) CreateEligibilityChecks(ctx context.Context, cs []eligibility.Check) error {
	if len(cs) == 0 {
		return nil
	}
	if err := s.allocateCheckIDs(ctx, cs); err != nil {
		return err
	}
	if ok, err := s.copyChecks(ctx, cs); ok || err != nil {
		return err
	}
	if s.isPostgres() {
		return s.insertChecksPostgres(ctx, cs)
	}
	return s.insertChecksSQLite(ctx, cs)
}

// checkColumns are the columns a bulk insert of checks writes.
var checkColumns = []string{"id", "cadre_id", "target_level", "post_category", "as_of", "eligible", "rules", "requirement_id",
	"checked_at", "checked_by", "batch_id"}

// copyChecks streams cs into eligibility_checks with COPY, inside an InBulkTx transaction on
// PostgreSQL; ok reports whether it could.
func (s *Store) copyChecks(ctx context.Context, cs []eligibility.Check) (bool, error) {
	return s.withPgx(ctx, func(c *pgx.Conn) error {
		src := &checkSource{cs: cs, i: -1, row: make([]any, len(checkColumns))}
		_, err := c.CopyFrom(ctx, pgx.Identifier{"eligibility_checks"}, checkColumns, src)
		return err
	})
}

// checkSource feeds checks to COPY, encoding each one's rules as it goes.
type checkSource struct {
	cs  []eligibility.Check
	i   int
	row []any
	enc rulesEncoder
	buf []byte
}

func (x *checkSource) Next() bool { x.i++; return x.i < len(x.cs) }

func (x *checkSource) Values() ([]any, error) {
	c := &x.cs[x.i]
	x.buf = x.enc.encode(x.buf[:0], c.Rules)
	asOf := time.Date(c.AsOf.Year, c.AsOf.Month, c.AsOf.Day, 0, 0, 0, 0, time.UTC)
	r := x.row
	r[0], r[1], r[2], r[3], r[4], r[5], r[6] = c.ID, c.CadreID, c.TargetLevel, c.PostCategory, asOf, c.Eligible, string(x.buf)
	r[7], r[8], r[9], r[10] = nullID(c.RequirementID), c.CheckedAt, c.CheckedBy, nullID(c.BatchID)
	return r, nil
}

func (x *checkSource) Err() error { return nil }

// allocateCheckIDs sets the IDs of cs, ascending: from the identity's sequence on PostgreSQL; on
// SQLite after the highest ever used, which the transaction's write lock (taken at BEGIN) keeps.
func (s *Store) allocateCheckIDs(ctx context.Context, cs []eligibility.Check) error {
	if s.isPostgres() {
		i := 0
		err := s.eachRow(ctx, `SELECT nextval(pg_get_serial_sequence('eligibility_checks', 'id')) AS id
			FROM generate_series(1, ?) ORDER BY id`, []any{len(cs)}, func(rows rowScanner) error {
			if i < len(cs) {
				if err := rows.Scan(&cs[i].ID); err != nil {
					return err
				}
			}
			i++
			return nil
		})
		return err
	}
	var last int64
	err := s.eachRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'eligibility_checks'), 0),
		COALESCE((SELECT MAX(id) FROM eligibility_checks), 0))`, nil, func(rows rowScanner) error { return rows.Scan(&last) })
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].ID = last + int64(i) + 1
	}
	return nil
}

// nullID maps an unset (zero) ID to NULL.
func nullID(v int64) *int64 {
	if v <= 0 {
		return nil
	}
	return &v
}

func (s *Store) insertChecksPostgres(ctx context.Context, cs []eligibility.Check) error {
	const size = 5000
	for i := 0; i < len(cs); i += size {
		part := cs[i:min(i+size, len(cs))]
		n := len(part)
		ids, cadres, reqs, batches := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		levels, cats, asOf, rules, by := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		eligible, at := make([]bool, n), make([]time.Time, n)
		var enc rulesEncoder
		for j, c := range part {
			ids[j], cadres[j], reqs[j], batches[j] = c.ID, c.CadreID, c.RequirementID, c.BatchID
			levels[j], cats[j], asOf[j], rules[j], by[j] = c.TargetLevel, c.PostCategory, c.AsOf.String(), string(enc.encode(nil, c.Rules)), c.CheckedBy
			eligible[j], at[j] = c.Eligible, c.CheckedAt
		}
		err := s.exec(ctx, `INSERT INTO eligibility_checks (id, cadre_id, target_level, post_category, as_of, eligible, rules,
			requirement_id, checked_at, checked_by, batch_id)
			SELECT u.id, u.cadre_id, u.target_level, u.post_category, u.as_of::date, u.eligible, u.rules,
				NULLIF(u.requirement_id, 0), u.checked_at, u.checked_by, NULLIF(u.batch_id, 0)
			FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[], ?::bigint[],
				?::timestamptz[], ?::text[], ?::bigint[])
				AS u(id, cadre_id, target_level, post_category, as_of, eligible, rules, requirement_id, checked_at, checked_by, batch_id)`,
			ids, cadres, levels, cats, asOf, eligible, rules, reqs, at, by, batches)
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertChecksSQLite(ctx context.Context, cs []eligibility.Check) error {
	const cols = 11
	const size = bulkChunk
	for i := 0; i < len(cs); i += size {
		part := cs[i:min(i+size, len(cs))]
		args := make([]any, 0, len(part)*cols)
		var enc rulesEncoder
		for _, c := range part {
			args = append(args, c.ID, c.CadreID, c.TargetLevel, c.PostCategory, c.AsOf, c.Eligible, string(enc.encode(nil, c.Rules)),
				nullID(c.RequirementID), c.CheckedAt, c.CheckedBy, nullID(c.BatchID))
		}
		q := `INSERT INTO eligibility_checks (id, cadre_id, target_level, post_category, as_of, eligible, rules, requirement_id,
			checked_at, checked_by, batch_id) VALUES (?` + strings.Repeat(", ?", cols-1) + `)` +
			strings.Repeat(", (?"+strings.Repeat(", ?", cols-1)+")", len(part)-1)
		if err := s.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
