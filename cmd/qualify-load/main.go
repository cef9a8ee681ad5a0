// Command qualify-load models an exam day against a real Qualify server on PostgreSQL and puts
// the figures beside PostgreSQL's own limit measured with pgbench.
//
//	make load                       # the documented command (builds bin/qualify first)
//	qualify-load -candidates 10000  # the full targets of the performance section
//
// It creates a fresh database, seeds candidates, a bank and a published exam, starts bin/qualify
// serve as a separate process, and runs the phases: login storm, start storm (papers of 100
// items), autosave saturation, submit storm with grading, public certificate verification. Each
// phase prints throughput, p50/p95/p99 and errors; the server's resident memory is read from
// /proc while every candidate has an attempt in progress. pgbench runs the single-row upsert an
// autosave needs before and after the API run; the ratio uses the median of the runs.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/xuri/excelize/v2"

	"qualify/internal/identity"
)

type options struct {
	adminURL    string
	server      string
	candidates  int
	concurrency int
	saveFor     time.Duration
	verifyFor   time.Duration
	pgbenchFor  time.Duration
	repeats     int
	keep        bool
	profile     string
	fault       string
}

func main() {
	var o options
	flag.StringVar(&o.adminURL, "db", envOr("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL admin URL (a fresh database qualify_load is created)")
	flag.StringVar(&o.server, "server", "bin/qualify", "the qualify binary to start")
	flag.IntVar(&o.candidates, "candidates", 2000, "candidates sitting the exam")
	flag.IntVar(&o.concurrency, "c", 32, "concurrent client connections")
	flag.DurationVar(&o.saveFor, "save-for", 20*time.Second, "duration of the autosave phase")
	flag.DurationVar(&o.verifyFor, "verify-for", 10*time.Second, "duration of the public verification phase")
	flag.DurationVar(&o.pgbenchFor, "pgbench-for", 10*time.Second, "duration of each pgbench run")
	flag.IntVar(&o.repeats, "repeats", 3, "pgbench runs before and after (medians are reported)")
	flag.BoolVar(&o.keep, "keep", false, "keep the qualify_load database afterwards")
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of the server during the autosave phase to this file")
	flag.StringVar(&o.fault, "fault", "", "run a fault scenario instead: pg-stop, kill, failover, netcut, all")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "qualify-load:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func withDB(base, name string) string {
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

const password = "Load#Passw0rd"

// world is a prepared load database with its candidates.
type world struct {
	dbURL   string
	env     []string
	db      *sql.DB
	users   []string
	cleanup func()
}

// prepare creates a fresh qualify_load database, migrates it, loads the demo data and seeds the
// candidates; cleanup drops it (unless -keep).
func prepare(o options) (*world, error) {
	admin, err := sql.Open("pgx", o.adminURL)
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(`DROP DATABASE IF EXISTS qualify_load WITH (FORCE)`); err != nil {
		admin.Close()
		return nil, err
	}
	if _, err := admin.Exec(`CREATE DATABASE qualify_load`); err != nil {
		admin.Close()
		return nil, err
	}
	w := &world{dbURL: withDB(o.adminURL, "qualify_load")}
	dataDir, err := os.MkdirTemp("", "qualify-load-")
	if err != nil {
		return nil, err
	}
	w.cleanup = func() {
		if w.db != nil {
			w.db.Close()
		}
		os.RemoveAll(dataDir)
		if !o.keep {
			if a, err := sql.Open("pgx", o.adminURL); err == nil {
				a.Exec(`DROP DATABASE IF EXISTS qualify_load WITH (FORCE)`) //nolint:errcheck
				a.Close()
			}
		}
		admin.Close()
	}
	w.env = append(os.Environ(), "QUALIFY_DATABASE_URL="+w.dbURL, "QUALIFY_DATA_DIR="+dataDir, "QUALIFY_LOG_LEVEL=warn",
		"QUALIFY_LOGIN_RATE_PER_ADDR=100000000", "QUALIFY_LOGIN_RATE_PER_USER=1000", "QUALIFY_VERIFY_RATE_PER_ADDR=100000000",
		"QUALIFY_TOKEN_KEY=load-test-token-key-0123456789abcdef",
		// The load generator stands in for a load balancer: the server believes its
		// X-Forwarded-For, so public lookups arrive from many addresses as they would in production.
		"QUALIFY_TRUSTED_PROXIES=127.0.0.1/32")
	step("migrate and seed %d candidates", o.candidates)
	if out, err := command(w.env, o.server, "migrate", "up"); err != nil {
		w.cleanup()
		return nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	if out, err := command(w.env, o.server, "demo", "--password", password); err != nil {
		w.cleanup()
		return nil, fmt.Errorf("demo data: %v\n%s", err, out)
	}
	if w.db, err = sql.Open("pgx", w.dbURL); err != nil {
		w.cleanup()
		return nil, err
	}
	if w.users, err = seedCandidates(w.db, o.candidates); err != nil {
		w.cleanup()
		return nil, fmt.Errorf("seed candidates: %w", err)
	}
	return w, nil
}

// freeAddr returns a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts bin/qualify serve on addr with the world's environment plus extra.
func startServer(o options, w *world, addr string, extra ...string) (*exec.Cmd, error) {
	srv := exec.Command(o.server, "serve", "--addr", addr)
	srv.Env = append(append([]string{}, w.env...), extra...)
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, waitReady("http://" + addr)
}

func run(o options) error {
	if o.fault != "" {
		return runFault(o)
	}
	w, err := prepare(o)
	if err != nil {
		return err
	}
	defer w.cleanup()
	dbURL, db, users := w.dbURL, w.db, w.users

	before := pgbenchRuns(o, dbURL, "before")

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	debugAddr := ""
	if o.profile != "" {
		debugAddr, _ = freeAddr()
	}
	srv, err := startServer(o, w, addr, "QUALIFY_DEBUG_ADDR="+debugAddr)
	if err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }()
	base := "http://" + addr
	c := newClient(base, o.concurrency)
	var results []phase

	admin1, err := c.login("examadmin")
	if err != nil {
		return err
	}
	examID, err := c.createExam(admin1)
	if err != nil {
		return err
	}

	step("login storm: %d candidates, %d at a time", len(users), o.concurrency)
	toks := make([]string, len(users))
	results = append(results, c.phase("login", len(users), o.concurrency, func(i int) error {
		t, err := c.login(users[i])
		toks[i] = t
		return err
	}))
	hashRate := measureHashRate(3 * time.Second)

	step("start storm: %d attempts (papers of 100 items)", len(users))
	attempts := make([]attempt, len(users))
	results = append(results, c.phase("start", len(users), o.concurrency, func(i int) error {
		a, err := c.start(toks[i], examID)
		attempts[i] = a
		return err
	}))
	rss, hwm := serverMemory(srv.Process.Pid)

	step("autosave saturation for %s", o.saveFor)
	profDone := make(chan struct{})
	if debugAddr != "" {
		go func() {
			defer close(profDone)
			secs := int(o.saveFor.Seconds()) - 2
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, max(secs, 1)))
			if err != nil {
				step("profile: %v", err)
				return
			}
			defer resp.Body.Close()
			f, err := os.Create(o.profile)
			if err == nil {
				_, _ = io.Copy(f, resp.Body)
				f.Close()
				step("server CPU profile written to %s (go tool pprof -top %s %s)", o.profile, o.server, o.profile)
			}
		}()
	} else {
		close(profDone)
	}
	var seq atomic.Int64
	// Each worker saves for its own candidates, one save at a time each, as a browser does.
	results = append(results, c.timed("autosave", o.saveFor, o.concurrency, func(w int, r *rand.Rand) error {
		mine := (len(attempts) + o.concurrency - 1 - w) / o.concurrency
		if mine == 0 {
			return nil
		}
		i := w + o.concurrency*r.IntN(mine)
		a := attempts[i]
		if len(a.items) == 0 {
			return fmt.Errorf("no attempt")
		}
		item := a.items[r.IntN(len(a.items))]
		return c.save(toks[i], a.id, item, seq.Add(1))
	}))

	<-profDone
	step("bad input under load for 5s (malformed JSON, oversized bodies, forged tokens, replayed saves) beside autosave")
	results = append(results, c.badInput(5*time.Second, o.concurrency, toks, attempts))

	step("submit storm: %d submissions", len(users))
	results = append(results, c.phase("submit", len(users), 4*o.concurrency, func(i int) error {
		return c.submit(toks[i], attempts[i].id)
	}))
	graded, total := gradedCount(db, examID)

	step("eligibility batch: a roster of %d cadres", min(len(users), 500))
	batch, err := c.eligibilityBatch(users)
	if err != nil {
		return err
	}
	results = append(results, batch)

	step("public certificate verification for %s", o.verifyFor)
	certs, err := certificates(db)
	if err != nil {
		return err
	}
	if len(certs) > 0 {
		results = append(results, c.timed("verify", o.verifyFor, o.concurrency, func(_ int, r *rand.Rand) error {
			x := certs[r.IntN(len(certs))]
			return c.verify(x[0], x[1], r.IntN(1<<20))
		}))
	}
	after := pgbenchRuns(o, dbURL, "after")

	fmt.Printf("\nQualify load suite — %d candidates, %d client connections, %d cores (%s/%s)\n", len(users), o.concurrency,
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%-10s %10s %10s %10s %10s %10s %8s\n", "operation", "count", "per sec", "p50 ms", "p95 ms", "p99 ms", "errors")
	var saveRate float64
	for _, p := range results {
		fmt.Printf("%-10s %10d %10.1f %10.1f %10.1f %10.1f %8d\n", p.name, p.count, p.rate(), p.pct(50), p.pct(95), p.pct(99), p.errors)
		if p.name == "autosave" {
			saveRate = p.rate()
		}
		for _, e := range p.samples {
			fmt.Printf("%10s first error: %s\n", "", e)
		}
	}
	pgb := median(append(append([]float64{}, before...), after...))
	fmt.Printf("\npgbench single-row upsert: before %v, after %v tps; median %.0f\n", round(before), round(after), pgb)
	if pgb > 0 {
		fmt.Printf("autosave / pgbench upsert = %.2f (target >= 0.35)\n", saveRate/pgb)
	}
	fmt.Printf("password hash (argon2id 19 MiB, t=2) allows %.1f verifications/s on %d cores; login achieved %.1f/s = %.2f of it (target >= 0.8)\n",
		hashRate, runtime.NumCPU(), results[0].rate(), results[0].rate()/hashRate)
	fmt.Printf("graded after the submit storm: %d of %d\n", graded, total)
	fmt.Printf("server memory with %d attempts in progress: RSS %.0f MiB, peak %.0f MiB (target < 512 MiB at 10,000)\n", len(users), rss, hwm)
	return nil
}

func step(format string, a ...any) { fmt.Fprintf(os.Stderr, "== "+format+"\n", a...) }

func command(env []string, bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

func waitReady(base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server at %s not ready", base)
}

// seedCandidates inserts n cadres with accounts loadNNNNN sharing one password hash (the hash is
// computed once: a fixture shortcut, not how accounts are made).
func seedCandidates(db *sql.DB, n int) ([]string, error) {
	hash, err := identity.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var orgID int64
	if err := db.QueryRow(`SELECT id FROM orgs WHERE code = 'P'`).Scan(&orgID); err != nil {
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	now := time.Now().UTC()
	users := make([]string, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("load%05d", i+1)
		users[i] = name
		var cadreID, userID int64
		err := tx.QueryRow(`INSERT INTO cadres (org_id, code, name, gender, birth_date, education, work_start_date, reserve, current_post,
			post_level, post_category, term_start, created_at, updated_at)
			VALUES ($1, $2, $3, 'male', '1985-01-01', 'bachelor', '2008-07-01', false, '科员', 'township_deputy', 'administrative', '2020-01-01', $4, $4)
			RETURNING id`, orgID, "LOAD-"+name, "考生"+strconv.Itoa(i+1), now).Scan(&cadreID)
		if err != nil {
			return nil, err
		}
		if err := tx.QueryRow(`INSERT INTO users (username, display_name, password_hash, org_id, cadre_id, password_changed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id`, name, "考生"+strconv.Itoa(i+1), hash, orgID, cadreID, now).Scan(&userID); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(`INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, 'cadre', $2)`, userID, now); err != nil {
			return nil, err
		}
	}
	return users, tx.Commit()
}

// measureHashRate verifies the password hash on every core for d and returns verifications/s.
func measureHashRate(d time.Duration) float64 {
	h, _ := identity.HashPassword(password)
	var n atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				identity.VerifyPassword(h, password)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+)`)

// pgbenchRuns measures the single-row upsert an autosave needs, o.repeats times.
func pgbenchRuns(o options, dbURL, label string) []float64 {
	if _, err := exec.LookPath("pgbench"); err != nil {
		step("pgbench not found: skipped")
		return nil
	}
	dir, _ := os.MkdirTemp("", "pgbench-")
	defer os.RemoveAll(dir)
	setup := `CREATE TABLE IF NOT EXISTS bench_answers (attempt_id BIGINT, item_id BIGINT, answer TEXT, seq BIGINT, saved_at TIMESTAMPTZ, PRIMARY KEY (attempt_id, item_id));`
	script := `\set a random(1, 10000)
\set i random(1, 100)
\set s random(1, 1000000000)
INSERT INTO bench_answers (attempt_id, item_id, answer, seq, saved_at) VALUES (:a, :i, '"B"', :s, now())
  ON CONFLICT (attempt_id, item_id) DO UPDATE SET answer = excluded.answer, seq = excluded.seq, saved_at = excluded.saved_at
  WHERE bench_answers.seq < excluded.seq;
`
	f := filepath.Join(dir, "upsert.sql")
	_ = os.WriteFile(f, []byte(script), 0o600)
	if out, err := exec.Command("psql", dbURL, "-qc", setup).CombinedOutput(); err != nil {
		step("pgbench setup failed: %v %s", err, out)
		return nil
	}
	var tps []float64
	for r := 0; r < o.repeats; r++ {
		step("pgbench %s run %d/%d (%s, %d clients)", label, r+1, o.repeats, o.pgbenchFor, o.concurrency)
		out, err := exec.Command("pgbench", "-n", "-f", f, "-c", strconv.Itoa(o.concurrency), "-j", "2",
			"-T", strconv.Itoa(int(o.pgbenchFor.Seconds())), dbURL).CombinedOutput()
		if m := pgbenchTPS.FindSubmatch(out); err == nil && m != nil {
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			tps = append(tps, v)
		} else {
			step("pgbench failed: %v %s", err, out)
		}
	}
	return tps
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func round(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}

// serverMemory reads the server's resident and peak resident memory in MiB.
func serverMemory(pid int) (float64, float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	var rss, hwm float64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 {
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmRSS:":
				rss = v / 1024
			case "VmHWM:":
				hwm = v / 1024
			}
		}
	}
	return rss, hwm
}

func gradedCount(db *sql.DB, examID int64) (int, int) {
	var g, t int
	_ = db.QueryRow(`SELECT COUNT(*) FILTER (WHERE status = 'graded'), COUNT(*) FROM attempts WHERE exam_id = $1`, examID).Scan(&g, &t)
	return g, t
}

// certificates returns (number, holder name) pairs to verify publicly.
func certificates(db *sql.DB) ([][2]string, error) {
	rows, err := db.Query(`SELECT c.number, d.name FROM certificates c JOIN cadres d ON d.id = c.cadre_id LIMIT 5000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var n, name string
		if err := rows.Scan(&n, &name); err != nil {
			return nil, err
		}
		out = append(out, [2]string{n, name})
	}
	return out, rows.Err()
}

// client is an HTTP client with latency accounting.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, conc int) *client {
	tr := &http.Transport{MaxIdleConns: 4 * conc, MaxIdleConnsPerHost: 4 * conc, IdleConnTimeout: 90 * time.Second}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (c *client) do(method, path, tok string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return &httpError{status: resp.StatusCode, msg: fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, truncate(string(b), 200))}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// httpError is a response with a non-success status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (c *client) login(user string) (string, error) {
	var out struct{ AccessToken string }
	err := c.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": password}, &out)
	return out.AccessToken, err
}

// createExam publishes a 100-question exam on the demo bank's administration subject.
func (c *client) createExam(tok string) (int64, error) {
	return c.createExamClosing(tok, time.Now().Add(6*time.Hour))
}

// createExamClosing is createExam with a chosen closing time (the deadline of every attempt).
func (c *client) createExamClosing(tok string, closes time.Time) (int64, error) {
	now := time.Now()
	body := map[string]any{"title": "负载测试考试" + strconv.FormatInt(now.UnixNano()%100000, 10), "subjectCode": "administration", "durationMinutes": 180,
		"opensAt": now.Add(-time.Minute).Format(time.RFC3339), "closesAt": closes.Format(time.RFC3339),
		"passScore": 60, "maxAttempts": 1, "blueprint": map[string]any{"tolerance": 1, "sections": []map[string]any{
			{"type": "single", "count": 70, "points": 1}, {"type": "multiple", "count": 10, "points": 1},
			{"type": "true_false", "count": 10, "points": 1}, {"type": "fill_blank", "count": 10, "points": 1}}}}
	var ex struct{ ID int64 }
	if err := c.do("POST", "/api/v1/exams", tok, body, &ex); err != nil {
		return 0, err
	}
	return ex.ID, c.do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", ex.ID), tok, nil, nil)
}

type attempt struct {
	id    int64
	items []int64
}

func (c *client) start(tok string, examID int64) (attempt, error) {
	var out struct {
		ID        int64
		Questions []struct{ ItemID int64 }
	}
	if err := c.do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), tok, nil, &out); err != nil {
		return attempt{}, err
	}
	a := attempt{id: out.ID}
	for _, q := range out.Questions {
		a.items = append(a.items, q.ItemID)
	}
	return a, nil
}

func (c *client) save(tok string, attemptID, itemID, seq int64) error {
	return c.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", attemptID, itemID), tok, map[string]any{"answer": "A", "seq": seq}, nil)
}

func (c *client) submit(tok string, attemptID int64) error {
	return c.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attemptID), tok, nil, nil)
}

// verify looks a certificate up publicly, as a visitor from one of many addresses (the header
// only; no traffic goes anywhere but the local server).
func (c *client) verify(number, name string, from int) error {
	req, _ := http.NewRequest("GET", c.base+"/api/v1/public/certificates/"+url.PathEscape(number)+"?name="+url.QueryEscape(name), nil)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", from%250+1))
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return &httpError{status: resp.StatusCode, msg: fmt.Sprintf("verify: %d %s", resp.StatusCode, truncate(string(b), 200))}
	}
	return nil
}

// phase is one measured operation.
type phase struct {
	name    string
	count   int
	errors  int
	elapsed time.Duration
	lat     []time.Duration
	samples []string
}

func (p phase) rate() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(p.count-p.errors) / p.elapsed.Seconds()
}

func (p phase) pct(q float64) float64 {
	if len(p.lat) == 0 {
		return 0
	}
	i := int(float64(len(p.lat)-1) * q / 100)
	return float64(p.lat[i].Microseconds()) / 1000
}

type recorder struct {
	mu      sync.Mutex
	lat     []time.Duration
	errors  int
	samples []string
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, d)
	if err != nil {
		r.errors++
		if len(r.samples) < 1 {
			r.samples = append(r.samples, err.Error())
		}
	}
}

func (r *recorder) phase(name string, elapsed time.Duration) phase {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	return phase{name: name, count: len(r.lat), errors: r.errors, elapsed: elapsed, lat: r.lat, samples: r.samples}
}

// phase runs op for indexes 0..n-1 with conc workers.
func (c *client) phase(name string, n, conc int, op func(i int) error) phase {
	var rec recorder
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				err := op(i)
				rec.add(time.Since(t), err)
			}
		}()
	}
	wg.Wait()
	return rec.phase(name, time.Since(start))
}

// timed runs op repeatedly with conc workers for d.
func (c *client) timed(name string, d time.Duration, conc int, op func(worker int, r *rand.Rand) error) phase {
	var rec recorder
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for time.Now().Before(stop) {
				t := time.Now()
				err := op(w, r)
				rec.add(time.Since(t), err)
			}
		}(w)
	}
	wg.Wait()
	return rec.phase(name, time.Since(start))
}

// badInput sends malformed JSON, oversized bodies, forged tokens and replayed saves while half
// the workers keep saving; each bad request must get its own error status, and good saves must
// keep succeeding. An unexpected answer counts as an error.
func (c *client) badInput(d time.Duration, conc int, toks []string, atts []attempt) phase {
	big := bytes.Repeat([]byte("a"), 2<<20)
	forged := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwic2lkIjoieCIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJl"
	var seq atomic.Int64
	seq.Store(1 << 40)
	expect := func(method, path, tok, ctype string, body []byte, want int) error {
		req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
		return nil
	}
	return c.timed("badinput", d, conc, func(w int, r *rand.Rand) error {
		// Each worker saves only for its own candidates, so its sequence numbers never race another's.
		mine := (len(atts) + conc - 1 - w) / conc
		if mine == 0 {
			return nil
		}
		i := w + conc*r.IntN(mine)
		a := atts[i]
		item := a.items[r.IntN(len(a.items))]
		path := fmt.Sprintf("/api/v1/attempts/%d/answers/%d", a.id, item)
		switch w % 6 {
		case 0:
			return expect("PUT", path, toks[i], "application/json", []byte(`{"answer": "A", "seq": `), 400)
		case 1:
			return expect("PUT", path, toks[i], "application/json", big, 413)
		case 2:
			return expect("PUT", path, forged, "application/json", []byte(`{"answer":"A","seq":1}`), 401)
		case 3: // a replayed save: the same seq twice, the second is refused and changes nothing
			n := seq.Add(1)
			body := []byte(fmt.Sprintf(`{"answer":"B","seq":%d}`, n))
			if err := expect("PUT", path, toks[i], "application/json", body, 200); err != nil {
				return err
			}
			return expect("PUT", path, toks[i], "application/json", body, 409)
		default: // good saves keep flowing
			return c.save(toks[i], a.id, item, seq.Add(1))
		}
	})
}

// eligibilityBatch uploads a roster of the seeded candidates (at most the server's 500-row limit)
// to the promotion check and times the whole batch; count is the rows checked.
func (c *client) eligibilityBatch(users []string) (phase, error) {
	tok, err := c.login("personnel1")
	if err != nil {
		return phase{}, err
	}
	n := min(len(users), 500)
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"干部编号", "拟任职务层次", "职务类别"})
	for i := 0; i < n; i++ {
		_ = f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{"LOAD-" + users[i], "乡科级正职", "行政管理"})
	}
	var roster bytes.Buffer
	if err := f.Write(&roster); err != nil {
		return phase{}, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "roster.xlsx")
	_, _ = fw.Write(roster.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/eligibility/batch", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := c.http.Do(req)
	var rec recorder
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			err = &httpError{status: resp.StatusCode, msg: fmt.Sprintf("batch: %d", resp.StatusCode)}
		}
	}
	elapsed := time.Since(start)
	for i := 0; i < n; i++ {
		rec.add(elapsed/time.Duration(n), nil) // per-row share of the batch
	}
	if err != nil {
		rec.errors, rec.samples = n, []string{err.Error()}
	}
	return rec.phase("elig-row", elapsed), nil
}
