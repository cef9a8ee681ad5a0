package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The fault scenarios. Each runs candidates saving answers steadily, injects its fault, and ends
// with the check that matters: every answer the server acknowledged is in the database.

// ackLog keeps the highest acknowledged seq per (attempt, item).
type ackLog struct {
	mu sync.Mutex
	m  map[[2]int64]int64
	n  int
}

func newAckLog() *ackLog { return &ackLog{m: map[[2]int64]int64{}} }

func (a *ackLog) add(att, item, seq int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	k := [2]int64{att, item}
	if seq > a.m[k] {
		a.m[k] = seq
	}
}

// verify compares the acknowledgements with the database; lost counts answers whose stored seq
// is below the acknowledged one (or missing).
func (a *ackLog) verify(db *sql.DB) (checked, lost int, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rows, err := db.Query(`SELECT attempt_id, item_id, seq FROM attempt_answers`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	stored := map[[2]int64]int64{}
	for rows.Next() {
		var at, it, seq int64
		if err := rows.Scan(&at, &it, &seq); err != nil {
			return 0, 0, err
		}
		stored[[2]int64{at, it}] = seq
	}
	for k, seq := range a.m {
		checked++
		if stored[k] < seq {
			lost++
		}
	}
	return checked, lost, rows.Err()
}

// tally counts outcomes by kind during a scenario.
type tally struct {
	mu       sync.Mutex
	ok       int
	byKind   map[string]int
	lastFail time.Time
	firstOK  time.Time // first success after `since`
	since    time.Time
}

func (t *tally) add(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byKind == nil {
		t.byKind = map[string]int{}
	}
	now := time.Now()
	if err == nil {
		t.ok++
		if !t.since.IsZero() && t.firstOK.IsZero() && now.After(t.since) {
			t.firstOK = now
		}
		return
	}
	var he *httpError
	kind := "network"
	if errors.As(err, &he) {
		kind = fmt.Sprint(he.status)
		if strings.Contains(he.msg, "stale_answer") {
			kind = "409 stale"
		} else if strings.Contains(he.msg, "attempt_closed") {
			kind = "409 closed"
		}
	}
	t.byKind[kind]++
	t.lastFail = now
}

func (t *tally) mark() {
	t.mu.Lock()
	t.since, t.firstOK = time.Now(), time.Time{}
	t.mu.Unlock()
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := []string{fmt.Sprintf("acknowledged %d", t.ok)}
	for k, n := range t.byKind {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
	}
	return strings.Join(parts, ", ")
}

// saver saves answers for its candidates one at a time each, as browsers do, until stop; a
// failed save is retried with the same seq after a pause (a replayed save is harmless).
func saver(c *client, toks []string, atts []attempt, workers int, stop <-chan struct{}, acks *ackLog, t *tally, paused func(i int) bool) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			seqs := map[int]int64{}
			for round := 0; ; round++ {
				for i := w; i < len(atts); i += workers {
					select {
					case <-stop:
						return
					default:
					}
					if paused != nil && paused(i) {
						continue
					}
					a := atts[i]
					item := a.items[(round+i)%len(a.items)]
					seqs[i]++
					err := c.save(toks[i], a.id, item, seqs[i])
					t.add(err)
					if err == nil {
						acks.add(a.id, item, seqs[i])
					} else {
						seqs[i]-- // retry this seq next time: the outcome is unknown to the client
						time.Sleep(200 * time.Millisecond)
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		}(w)
	}
	return &wg
}

type faultEnv struct {
	o     options
	w     *world
	c     *client
	toks  []string
	atts  []attempt
	exam  int64
	close func()
}

// setupFault prepares the database, starts servers through start, logs candidates in and starts
// their attempts (closing at closes).
func setupFault(o options, base string, closes time.Time) (*faultEnv, error) {
	fe := &faultEnv{o: o}
	fe.c = newClient(base, o.concurrency)
	admin, err := fe.c.login("examadmin")
	if err != nil {
		return nil, err
	}
	if fe.exam, err = fe.c.createExamClosing(admin, closes); err != nil {
		return nil, err
	}
	return fe, nil
}

func (fe *faultEnv) begin(users []string) error {
	fe.toks = make([]string, len(users))
	fe.atts = make([]attempt, len(users))
	p := fe.c.phase("login+start", len(users), fe.o.concurrency, func(i int) error {
		t, err := fe.c.login(users[i])
		if err != nil {
			return err
		}
		fe.toks[i] = t
		fe.atts[i], err = fe.c.start(t, fe.exam)
		return err
	})
	if p.errors > 0 {
		return fmt.Errorf("login/start: %d errors: %v", p.errors, p.samples)
	}
	return nil
}

// saving is candidates saving steadily against a server while a fault is injected.
type saving struct {
	fe   *faultEnv
	acks *ackLog
	t    *tally
	stop chan struct{}
	wg   *sync.WaitGroup
}

// startSaving creates the exam (closing at closes), logs every candidate in, starts their
// attempts, and sets them saving through base.
func startSaving(o options, w *world, base string, closes time.Time, paused func(i int) bool) (*saving, error) {
	fe, err := setupFault(o, base, closes)
	if err != nil {
		return nil, err
	}
	if err := fe.begin(w.users); err != nil {
		return nil, err
	}
	sv := &saving{fe: fe, acks: newAckLog(), t: &tally{}, stop: make(chan struct{})}
	sv.wg = saver(fe.c, fe.toks, fe.atts, o.concurrency, sv.stop, sv.acks, sv.t, paused)
	return sv, nil
}

// finish stops the savers and checks every acknowledged answer against the database.
func (sv *saving) finish(w *world) (checked, lost int, err error) {
	close(sv.stop)
	sv.wg.Wait()
	return sv.acks.verify(w.db)
}

type faultResult struct {
	name, summary string
	checked, lost int
	ok            bool
}

func runFault(o options) error {
	names := []string{o.fault}
	if o.fault == "all" {
		names = []string{"pg-stop", "kill", "failover", "netcut"}
	}
	var results []faultResult
	for _, n := range names {
		r, err := runOneFault(o, n)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		results = append(results, r)
	}
	fmt.Printf("\nFault scenarios (%d candidates)\n", o.candidates)
	failed := 0
	for _, r := range results {
		verdict := "ok"
		if !r.ok {
			verdict = "FAILED"
			failed++
		}
		fmt.Printf("%-9s %-6s acknowledged answers checked %d, lost %d; %s\n", r.name, verdict, r.checked, r.lost, r.summary)
	}
	fmt.Printf("%d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d fault scenarios lost acknowledged answers or did not recover", failed)
	}
	return nil
}

func runOneFault(o options, name string) (faultResult, error) {
	step("fault scenario %s", name)
	w, err := prepare(o)
	if err != nil {
		return faultResult{}, err
	}
	defer w.cleanup()
	switch name {
	case "pg-stop":
		return faultPGStop(o, w)
	case "kill":
		return faultKill(o, w)
	case "failover":
		return faultFailover(o, w)
	case "netcut":
		return faultNetCut(o, w)
	}
	return faultResult{}, fmt.Errorf("unknown fault %q (pg-stop, kill, failover, netcut, all)", name)
}

func stopServer(p *exec.Cmd) {
	if p != nil && p.Process != nil {
		_ = p.Process.Signal(os.Interrupt)
		_ = p.Wait()
	}
}

func pgCluster(action string) error {
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		return fmt.Errorf("no local PostgreSQL cluster to %s", action)
	}
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", action, "-m", "fast").CombinedOutput()
	if err != nil && action == "start" {
		out, err = exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", action).CombinedOutput()
	}
	if err != nil {
		return fmt.Errorf("pg_ctlcluster %s: %v %s", action, err, out)
	}
	return nil
}

// faultPGStop stops PostgreSQL for 20 s in the middle of the exam and starts it again: the API
// answers 503 meanwhile, recovers by itself, and candidates resume.
func faultPGStop(o options, w *world) (faultResult, error) {
	addr, _ := freeAddr()
	srv, err := startServer(o, w, addr)
	if err != nil {
		return faultResult{}, err
	}
	defer stopServer(srv)
	sv, err := startSaving(o, w, "http://"+addr, time.Now().Add(3*time.Hour), nil)
	if err != nil {
		return faultResult{}, err
	}
	t := sv.t
	time.Sleep(5 * time.Second)
	if err := pgCluster("stop"); err != nil {
		_ = pgCluster("start")
		sv.finish(w) //nolint:errcheck
		return faultResult{}, err
	}
	time.Sleep(3 * time.Second)
	ready := readyStatus("http://" + addr)
	time.Sleep(17 * time.Second)
	if err := pgCluster("start"); err != nil {
		return faultResult{}, err
	}
	t.mark()
	time.Sleep(10 * time.Second)
	checked, lost, err := sv.finish(w)
	if err != nil {
		return faultResult{}, err
	}
	recovery := "no save succeeded after the restart"
	if !t.firstOK.IsZero() {
		recovery = fmt.Sprintf("first acknowledged save %.1f s after PostgreSQL came back", t.firstOK.Sub(t.since).Seconds())
	}
	sum := fmt.Sprintf("PostgreSQL down 20 s; /readyz during the outage: %d; %s; %s", ready, recovery, t)
	return faultResult{name: "pg-stop", summary: sum, checked: checked, lost: lost, ok: lost == 0 && ready == 503 && !t.firstOK.IsZero()}, nil
}

func readyStatus(base string) int {
	r, err := http.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	r.Body.Close()
	return r.StatusCode
}

// faultKill kills the API with SIGKILL under load and restarts it on the same address.
func faultKill(o options, w *world) (faultResult, error) {
	addr, _ := freeAddr()
	srv, err := startServer(o, w, addr)
	if err != nil {
		return faultResult{}, err
	}
	sv, err := startSaving(o, w, "http://"+addr, time.Now().Add(3*time.Hour), nil)
	if err != nil {
		stopServer(srv)
		return faultResult{}, err
	}
	t := sv.t
	time.Sleep(5 * time.Second)
	_ = srv.Process.Signal(syscall.SIGKILL)
	_ = srv.Wait()
	killed := time.Now()
	srv, err = startServer(o, w, addr)
	if err != nil {
		sv.finish(w) //nolint:errcheck
		return faultResult{}, err
	}
	defer stopServer(srv)
	t.mark()
	restart := time.Since(killed)
	time.Sleep(8 * time.Second)
	checked, lost, err := sv.finish(w)
	if err != nil {
		return faultResult{}, err
	}
	sum := fmt.Sprintf("restarted and ready %.1f s after SIGKILL; %s", restart.Seconds(), t)
	return faultResult{name: "kill", summary: sum, checked: checked, lost: lost, ok: lost == 0 && !t.firstOK.IsZero()}, nil
}

// faultFailover runs two API instances behind one address (a round-robin proxy that tries the
// other instance when one does not answer) and kills one of them.
func faultFailover(o options, w *world) (faultResult, error) {
	a1, _ := freeAddr()
	a2, _ := freeAddr()
	s1, err := startServer(o, w, a1)
	if err != nil {
		return faultResult{}, err
	}
	defer stopServer(s1)
	s2, err := startServer(o, w, a2)
	if err != nil {
		return faultResult{}, err
	}
	front, closeProxy, err := roundRobin(a1, a2)
	if err != nil {
		stopServer(s2)
		return faultResult{}, err
	}
	defer closeProxy()
	sv, err := startSaving(o, w, "http://"+front, time.Now().Add(3*time.Hour), nil)
	if err != nil {
		stopServer(s2)
		return faultResult{}, err
	}
	t := sv.t
	time.Sleep(5 * time.Second)
	_ = s2.Process.Signal(syscall.SIGKILL)
	_ = s2.Wait()
	t.mark()
	time.Sleep(8 * time.Second)
	checked, lost, err := sv.finish(w)
	if err != nil {
		return faultResult{}, err
	}
	sum := fmt.Sprintf("one of two instances killed; %s", t)
	return faultResult{name: "failover", summary: sum, checked: checked, lost: lost, ok: lost == 0 && !t.firstOK.IsZero()}, nil
}

// roundRobin serves a reverse proxy on a free address that spreads requests over the backends
// and retries on the next backend when one cannot be reached (requests are replay-safe: saves
// carry their seq, submit is idempotent).
func roundRobin(backends ...string) (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	var next atomic.Uint64
	tr := &http.Transport{MaxIdleConnsPerHost: 256, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}
	handler := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := readBody(r)
		start := next.Add(1)
		for k := 0; k < len(backends); k++ {
			b := backends[(int(start)+k)%len(backends)]
			req := r.Clone(r.Context())
			req.URL.Scheme, req.URL.Host, req.RequestURI = "http", b, ""
			req.Body = bodyReader(body)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				continue
			}
			for k, vs := range resp.Header {
				for _, v := range vs {
					rw.Header().Add(k, v)
				}
			}
			rw.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(rw, resp.Body)
			resp.Body.Close()
			return
		}
		http.Error(rw, "no backend", http.StatusBadGateway)
	})
	srv := &http.Server{Addr: addr, Handler: handler}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	go srv.Serve(ln) //nolint:errcheck
	return addr, func() { srv.Close() }, nil
}

// faultNetCut cuts half of the candidates off the network shortly before the deadline: the
// server submits their attempts at the deadline with what was saved, and what they send after
// reconnecting is refused without touching the graded attempt.
func faultNetCut(o options, w *world) (faultResult, error) {
	addr, _ := freeAddr()
	srv, err := startServer(o, w, addr)
	if err != nil {
		return faultResult{}, err
	}
	defer stopServer(srv)
	closes := time.Now().Add(45 * time.Second)
	var cut atomic.Bool
	sv, err := startSaving(o, w, "http://"+addr, closes, func(i int) bool { return i%2 == 0 && cut.Load() })
	if err != nil {
		return faultResult{}, err
	}
	fe, t := sv.fe, sv.t
	time.Sleep(time.Until(closes.Add(-15 * time.Second)))
	cut.Store(true)
	// Past the deadline plus two rounds of the deadline worker (every 5 s).
	time.Sleep(time.Until(closes.Add(12 * time.Second)))
	cut.Store(false) // the cut candidates come back and flush their queues
	t.mark()
	time.Sleep(4 * time.Second)
	checked, lost, err := sv.finish(w)
	if err != nil {
		return faultResult{}, err
	}
	var byServer, open int
	_ = w.db.QueryRow(`SELECT COUNT(*) FILTER (WHERE submitted_by = 'server'), COUNT(*) FILTER (WHERE status = 'in_progress')
		FROM attempts WHERE exam_id = $1`, fe.exam).Scan(&byServer, &open)
	var late int
	_ = w.db.QueryRow(`SELECT COUNT(*) FROM answer_log l JOIN attempts a ON a.id = l.attempt_id WHERE a.exam_id = $1 AND l.saved_at >= a.deadline`, fe.exam).Scan(&late)
	sum := fmt.Sprintf("attempts submitted by the server at the deadline %d of %d, still open %d, answers stored after the deadline %d; %s",
		byServer, len(fe.atts), open, late, t)
	return faultResult{name: "netcut", summary: sum, checked: checked, lost: lost, ok: lost == 0 && open == 0 && late == 0 && byServer == len(fe.atts)}, nil
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	return io.ReadAll(r.Body)
}

func bodyReader(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
