package eligibility

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// MaxBatchRows bounds a batch roster.
const MaxBatchRows = 100_000

// batchChunk is how many roster rows are resolved, evaluated and stored together: a handful of
// queries per chunk (each may scan its table), a bounded amount of facts and rules in memory, and
// enough chunks for the pipeline to overlap its stages.
const batchChunk = 20000

// BatchRow is the outcome of one roster row.
type BatchRow struct {
	Row      int
	Code     string
	Name     string
	Level    string
	Category string
	AsOf     string
	CheckID  int64  // the kept check; 0 when the row could not be checked
	Eligible bool   // the check's verdict
	Fails    string // the failed rules, one a line
	Notes    string // soft failures, waivers and items to verify by hand, one a line
	Problem  string // why the row could not be checked
}

// Batch checks every row of an .xlsx roster (columns 干部编号, 拟任职务层次, 职务类别, optional
// 核查日期) and returns an .xlsx with a verdict and reasons per row; rows that cannot be checked
// say why, and a cadre outside the actor's scope reads like an unknown code. Each check is kept
// as a single one is, pointing to one batch record (file name and digest, row counts, a digest
// of the kept checks) that the audit log names once. The whole batch is one transaction: all
// checks are kept or none. Errors: forbidden, batch_unreadable, batch_too_large,
// validation_failed (missing columns).
//
// The roster is worked in chunks, as a pipeline (see batchPipeline.run): while one chunk is
// evaluated, the facts of the next are read and the checks of the previous stored, and the
// result workbook takes in the rows already stored.
func (s *Service) Batch(ctx context.Context, actor identity.Principal, fileName string, data []byte) ([]byte, Batch, error) {
	if !canCheck(actor) {
		return nil, Batch{}, forbidden()
	}
	rows, err := readBatch(data, MaxBatchRows)
	if err != nil {
		return nil, Batch{}, err
	}
	sum := sha256.Sum256(data)
	b := Batch{OrgPath: actor.OrgPath, FileName: fileName, FileSHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now().UTC(),
		CreatedBy: actor.Username}
	w, err := newBatchWriter()
	if err != nil {
		return nil, Batch{}, err
	}
	defer w.close()
	outer := ctx
	err = s.store.InBulkTx(ctx, func(ctx context.Context) error {
		l, err := s.ladder(ctx)
		if err != nil {
			return err
		}
		m, err := s.matrix(ctx)
		if err != nil {
			return err
		}
		if err := s.store.CreateEligibilityBatch(ctx, &b); err != nil {
			return apperr.Wrap(err, "create batch")
		}
		p := batchPipeline{s: s, actor: actor, l: l, m: m, today: s.Today(), batch: b, out: w}
		if err := p.run(ctx, outer, rows); err != nil {
			return err
		}
		var vs []CheckVerdict
		b, vs = tally(b, rows)
		b.Digest = BatchDigest(vs)
		if err := s.store.UpdateEligibilityBatch(ctx, b); err != nil {
			return apperr.Wrap(err, "update batch")
		}
		after := map[string]any{"fileName": b.FileName, "fileSha256": b.FileSHA256, "rows": b.Rows, "eligible": b.Eligible,
			"ineligible": b.Ineligible, "problems": b.Problems, "digest": b.Digest}
		if len(vs) > 0 {
			after["firstCheckId"], after["lastCheckId"] = vs[0].ID, vs[len(vs)-1].ID
		}
		return s.record(ctx, actor, "eligibility.batch", "eligibility_batch", b.ID, nil, after)
	})
	if err != nil {
		return nil, Batch{}, err
	}
	out, err := w.finish()
	return out, b, err
}

// batchPipeline works a roster chunk by chunk for the batch's transaction.
type batchPipeline struct {
	s     *Service
	actor identity.Principal
	l     *cadre.Ladder
	m     []Requirement
	today civil.Date
	batch Batch
	out   *batchWriter
}

// batchChunkOf is one chunk of the roster on its way through the pipeline.
type batchChunkOf struct {
	rows   []BatchRow
	reqs   []Request
	todo   []int // rows to check
	byCode map[string]cadre.Cadre
	recs   map[int64]record
	checks []Check // of todo, in order
}

// run works the roster as four stages on goroutines of their own, a chunk at a time: resolve,
// evaluate, keep (stores the checks in the transaction of ctx) and the result workbook. resolve
// reads the chunk's cadres and facts on connections of the pool, through read (ctx without its
// transaction), beside the transaction's connection busy storing: the transaction writes none of
// them, and each read sees what is committed when it runs, as each of a single check's reads does
// (READ COMMITTED). The first error stops every stage and is returned.
func (p *batchPipeline) run(ctx, read context.Context, rows []BatchRow) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	read, cancelRead := context.WithCancel(read)
	defer cancelRead()
	stop := context.AfterFunc(ctx, cancelRead)
	defer stop()
	resolved, evaluated := make(chan *batchChunkOf, 1), make(chan *batchChunkOf, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(resolved)
		// The first chunk is small, for the checks to start being stored early.
		for i, size := 0, batchChunk/4; i < len(rows); i, size = i+size, batchChunk {
			c, err := p.resolve(read, rows[i:min(i+size, len(rows))])
			if err != nil {
				cancel(err)
				return
			}
			select {
			case resolved <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer close(evaluated)
		for c := range resolved {
			p.evaluate(c)
			select {
			case evaluated <- c:
			case <-ctx.Done():
				for range resolved {
				}
				return
			}
		}
	}()
	for c := range evaluated {
		if ctx.Err() == nil {
			if err := p.keep(ctx, c); err != nil {
				cancel(err)
			}
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// resolve reads the chunk's requests, finds its cadres within the actor's scope and reads their
// facts: one query for the cadres, one for each kind of fact.
func (p *batchPipeline) resolve(ctx context.Context, rows []BatchRow) (*batchChunkOf, error) {
	c := &batchChunkOf{rows: rows, reqs: make([]Request, len(rows))}
	probs := make([][]string, len(rows))
	codes := make([]string, 0, len(rows))
	for i, r := range rows {
		c.reqs[i], probs[i] = parseBatchRow(p.l, r)
		if r.Code != "" {
			codes = append(codes, r.Code)
		}
	}
	slices.Sort(codes)
	cadres, err := p.s.store.CadresByCodes(ctx, slices.Compact(codes))
	if err != nil {
		return nil, apperr.Wrap(err, "find cadres by code")
	}
	c.byCode = make(map[string]cadre.Cadre, len(cadres))
	for _, x := range cadres {
		if isSystem(p.actor) || org.Contains(p.actor.OrgPath, x.OrgPath) {
			c.byCode[x.Code] = x
		}
	}
	var ids []int64
	for i := range rows {
		r := &rows[i]
		x, ok := c.byCode[r.Code]
		switch {
		case r.Code == "":
			probs[i] = append(probs[i], "缺少干部编号")
		case !ok:
			probs[i] = append(probs[i], "干部编号「"+r.Code+"」不存在或不在管理范围内")
		default:
			r.Name = x.Name
			c.reqs[i].CadreID = x.ID
		}
		if len(probs[i]) > 0 {
			r.Problem = strings.Join(probs[i], "；")
			continue
		}
		if _, ok := findRequirement(p.m, c.reqs[i].PostCategory, c.reqs[i].TargetLevel); !ok {
			r.Problem = apperr.As(notConfigured()).Message
			continue
		}
		if c.reqs[i].AsOf.IsZero() {
			c.reqs[i].AsOf = p.today
		}
		c.todo = append(c.todo, i)
		ids = append(ids, x.ID)
	}
	if len(ids) == 0 {
		return c, nil
	}
	slices.Sort(ids)
	c.recs, err = p.s.records(ctx, slices.Compact(ids))
	return c, err
}

// evaluate judges the chunk's requests (see parallel) and fills its rows' verdicts.
func (p *batchPipeline) evaluate(c *batchChunkOf) {
	c.checks = make([]Check, len(c.todo))
	parallel(len(c.todo), func(k int) {
		i := c.todo[k]
		req := c.reqs[i]
		x := c.byCode[c.rows[i].Code]
		target, _ := p.l.LevelByCode(req.TargetLevel)
		row, _ := findRequirement(p.m, req.PostCategory, req.TargetLevel)
		rec := c.recs[x.ID]
		ch := judge(factsOf(p.l, x, target, rec, req.AsOf), req, row, rec.exceptions)
		ch.CheckedAt, ch.CheckedBy, ch.BatchID = p.batch.CreatedAt, p.actor.Username, p.batch.ID
		c.checks[k] = ch
		r := &c.rows[i]
		r.Eligible = ch.Eligible
		r.Fails, r.Notes = summarize(ch.Rules)
		if r.AsOf == "" {
			r.AsOf = ch.AsOf.String()
		}
	})
	c.recs = nil
}

// keep stores the chunk's checks, numbers its rows and hands them to the result workbook.
func (p *batchPipeline) keep(ctx context.Context, c *batchChunkOf) error {
	if err := p.s.store.CreateEligibilityChecks(ctx, c.checks); err != nil {
		return apperr.Wrap(err, "store checks")
	}
	for k, i := range c.todo {
		c.rows[i].CheckID = c.checks[k].ID
	}
	c.checks = nil
	p.out.add(c.rows)
	return nil
}

// records reads the post histories, certificates, ledgers and exceptions of the cadres ids, the
// four at once: ctx must carry no transaction, whose one connection could not serve them together.
func (s *Service) records(ctx context.Context, ids []int64) (map[int64]record, error) {
	var (
		posts  map[int64][]cadre.PostRecord
		certs  map[int64][]cert.Certificate
		ledger map[int64][]training.LedgerEntry
		exs    map[int64][]Exception
	)
	reads := []func() error{
		func() (err error) {
			posts, err = s.store.PostRecordsOf(ctx, ids)
			return apperr.Wrap(err, "list post records")
		},
		func() (err error) {
			certs, err = s.store.CertificatesOfCadres(ctx, ids)
			return apperr.Wrap(err, "list certificates")
		},
		func() (err error) {
			ledger, err = s.store.LedgerOf(ctx, ids)
			return apperr.Wrap(err, "read training ledgers")
		},
		func() (err error) {
			exs, err = s.store.EligibilityExceptionsOf(ctx, ids)
			return apperr.Wrap(err, "list exceptions")
		},
	}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = read() }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make(map[int64]record, len(ids))
	for _, id := range ids {
		out[id] = record{posts: posts[id], certs: certs[id], ledger: ledger[id], exceptions: exs[id]}
	}
	return out, nil
}

// parallel calls fn(0..n-1) on as many goroutines as there are processors but one: the other
// is left to the stages that run beside the evaluation (the database's above all, storing the
// checks, which bounds the batch).
func parallel(n int, fn func(i int)) {
	w := min(runtime.GOMAXPROCS(0)-1, n/64+1)
	if w <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + w - 1) / w
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// parseBatchRow reads a roster row's target level, post category (by Chinese name or code) and
// check date into a request (without cadre), and lists what cannot be read. It is pure.
func parseBatchRow(l *cadre.Ladder, r BatchRow) (Request, []string) {
	var probs []string
	req := Request{TargetLevel: levelByName(l, r.Level), PostCategory: categoryByName(l, r.Category)}
	if req.TargetLevel == "" {
		probs = append(probs, "拟任职务层次「"+r.Level+"」无法识别")
	}
	if req.PostCategory == "" {
		probs = append(probs, "职务类别「"+r.Category+"」无法识别")
	}
	if r.AsOf != "" {
		d, err := cadre.ParseRosterDate(r.AsOf)
		if err != nil {
			probs = append(probs, "核查日期："+err.Error())
		}
		req.AsOf = d
	}
	return req, probs
}

func levelByName(l *cadre.Ladder, s string) string {
	for _, x := range l.Levels {
		if s == x.Name || s == x.Code {
			return x.Code
		}
	}
	return ""
}

func categoryByName(l *cadre.Ladder, s string) string {
	for _, x := range l.Categories {
		if s == x.Name || s == x.Code {
			return x.Code
		}
	}
	return ""
}

// summarize renders a check's rules for the result workbook: the failed rules, then the soft
// failures, waivers and manual items, one a line. It is pure.
func summarize(rules []RuleResult) (fails, notes string) {
	var fl, nl []string
	for _, x := range rules {
		switch x.Status {
		case Fail:
			fl = append(fl, x.Title+"："+x.Detail)
		case SoftFail, Waived, Manual:
			nl = append(nl, "【"+StatusNames[x.Status]+"】"+x.Title+"："+x.Detail)
		}
	}
	return strings.Join(fl, "\n"), strings.Join(nl, "\n")
}

// CheckVerdict is a kept check's ID and verdict: what a batch's digest covers.
type CheckVerdict struct {
	ID       int64
	Eligible bool
}

// BatchDigest returns "sha256:" and the hex SHA-256 over the checks in ID order, one line
// "<id> eligible\n" or "<id> ineligible\n" each: what an auditor recomputes from
// eligibility_checks WHERE batch_id = ? ORDER BY id. It is pure.
func BatchDigest(vs []CheckVerdict) string {
	sorted := slices.Clone(vs)
	slices.SortFunc(sorted, func(a, b CheckVerdict) int { return cmp.Compare(a.ID, b.ID) })
	h := sha256.New()
	buf := make([]byte, 0, 32)
	for _, v := range sorted {
		buf = strconv.AppendInt(buf[:0], v.ID, 10)
		if v.Eligible {
			buf = append(buf, " eligible\n"...)
		} else {
			buf = append(buf, " ineligible\n"...)
		}
		h.Write(buf)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// tally counts the rows of a batch into b and returns the verdicts of its kept checks in ID
// order. It is pure.
func tally(b Batch, rows []BatchRow) (Batch, []CheckVerdict) {
	b.Rows, b.Eligible, b.Ineligible, b.Problems = len(rows), 0, 0, 0
	vs := make([]CheckVerdict, 0, len(rows))
	for _, r := range rows {
		switch {
		case r.CheckID == 0:
			b.Problems++
		case r.Eligible:
			b.Eligible++
		default:
			b.Ineligible++
		}
		if r.CheckID != 0 {
			vs = append(vs, CheckVerdict{ID: r.CheckID, Eligible: r.Eligible})
		}
	}
	slices.SortFunc(vs, func(a, b CheckVerdict) int { return cmp.Compare(a.ID, b.ID) })
	return b, vs
}

// GetBatch returns a batch record run within the actor's scope. Errors: forbidden, not_found.
func (s *Service) GetBatch(ctx context.Context, actor identity.Principal, id int64) (Batch, error) {
	if !canCheck(actor) {
		return Batch{}, forbidden()
	}
	b, err := s.store.EligibilityBatchByID(ctx, id)
	if err != nil {
		return Batch{}, apperr.Wrap(err, "find batch")
	}
	if b == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, b.OrgPath)) {
		return Batch{}, apperr.NotFoundf("批量核查记录不存在")
	}
	return *b, nil
}
