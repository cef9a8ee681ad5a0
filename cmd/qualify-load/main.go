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
// autosave needs before and after the API run; the ratio uses the median of the runs. The
// autosave and verification phases are driven by wrk when it is installed (see wrk.go); each
// phase also prints the cores the server, PostgreSQL and the generator used.
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
	adminURL     string
	server       string
	candidates   int
	concurrency  int
	saveFor      time.Duration
	verifyFor    time.Duration
	pgbenchFor   time.Duration
	repeats      int
	keep         bool
	profile      string
	profilePhase string
	client       string
	fault        string
	roster       int
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
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of the server during one phase to this file")
	flag.StringVar(&o.client, "client", "auto", "load generator of the autosave and verification phases: wrk (when installed, the default) or go")
	flag.StringVar(&o.profilePhase, "profile-phase", "autosave", "the phase -profile covers: start, autosave, submit or verify")
	flag.StringVar(&o.fault, "fault", "", "run a fault scenario instead: pg-stop, kill, failover, netcut, all")
	flag.IntVar(&o.roster, "roster", 100000, "cadres in the roster of the batch promotion check (0: skip)")
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

// loadDB is the scratch database's name; LOAD_DB_NAME lets two runs share one PostgreSQL.
var loadDB = func() string {
	if v := os.Getenv("LOAD_DB_NAME"); regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(v) {
		return v
	}
	return "qualify_load"
}()

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
	if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + loadDB + ` WITH (FORCE)`); err != nil {
		admin.Close()
		return nil, err
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + loadDB); err != nil {
		admin.Close()
		return nil, err
	}
	w := &world{dbURL: withDB(o.adminURL, loadDB)}
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
				a.Exec(`DROP DATABASE IF EXISTS ` + loadDB + ` WITH (FORCE)`) //nolint:errcheck
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
	serverPID.Store(int64(srv.Process.Pid))
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
	startProf := profileIf(o, debugAddr, "start", 5)
	attempts := make([]attempt, len(users))
	results = append(results, c.phase("start", len(users), o.concurrency, func(i int) error {
		a, err := c.start(toks[i], examID)
		attempts[i] = a
		return err
	}))
	<-startProf
	rss, hwm := serverMemory(srv.Process.Pid)

	step("autosave saturation for %s", o.saveFor)
	profDone := profileIf(o, debugAddr, "autosave", int(o.saveFor.Seconds())-2)
	var seq atomic.Int64
	// Each worker saves for its own candidates, one save at a time each, as a browser does.
	saveOp := func(w int, r *rand.Rand) error {
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
	}
	wrkDir, err := os.MkdirTemp("", "qualify-wrk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(wrkDir)
	if wrkAvailable(o) {
		step("(autosave driven by wrk)")
		data, err := wrkSaves(wrkDir, toks, attempts)
		if err != nil {
			return err
		}
		p, err := runWrk("autosave", base, "save", data, o.saveFor, o.concurrency)
		if err != nil {
			return err
		}
		results = append(results, p)
	} else {
		results = append(results, c.timed("autosave", o.saveFor, o.concurrency, saveOp))
	}

	<-profDone
	step("bad input under load for 5s (malformed JSON, oversized bodies, forged tokens, replayed saves) beside autosave")
	results = append(results, c.badInput(5*time.Second, o.concurrency, toks, attempts))

	step("submit storm: %d submissions", len(users))
	submitProf := profileIf(o, debugAddr, "submit", 5)
	results = append(results, c.phase("submit", len(users), 4*o.concurrency, func(i int) error {
		return c.submit(toks[i], attempts[i].id)
	}))
	<-submitProf
	graded, total := gradedCount(db, examID)

	step("eligibility batch: a roster of %d cadres", o.roster)
	batch, err := c.eligibilityBatch(db, o.roster)
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
		verifyProf := profileIf(o, debugAddr, "verify", int(o.verifyFor.Seconds())-2)
		defer func() { <-verifyProf }()
		if wrkAvailable(o) {
			step("(verification driven by wrk)")
			data, err := wrkLookups(wrkDir, certs)
			if err != nil {
				return err
			}
			p, err := runWrk("verify", base, "lookup", data, o.verifyFor, o.concurrency)
			if err != nil {
				return err
			}
			results = append(results, p)
		} else {
			results = append(results, c.timed("verify", o.verifyFor, o.concurrency, func(_ int, r *rand.Rand) error {
				x := certs[r.IntN(len(certs))]
				return c.verify(x[0], x[1], r.IntN(1<<20))
			}))
		}
	}
	endRSS, endHWM := serverMemory(srv.Process.Pid)
	after := pgbenchRuns(o, dbURL, "after")

	fmt.Printf("\nQualify load suite — %d candidates, %d client connections, %d cores (%s/%s)\n", len(users), o.concurrency,
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%-10s %10s %10s %10s %10s %10s %8s  %s\n", "operation", "count", "per sec", "p50 ms", "p95 ms", "p99 ms", "errors", "cores server/pg/load")
	var saveRate float64
	for _, p := range results {
		fmt.Printf("%-10s %10d %10.1f %10.1f %10.1f %10.1f %8d  %s\n", p.name, p.count, p.rate(), p.pct(50), p.pct(95), p.pct(99), p.errors, p.cpu)
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
	fmt.Printf("server memory at the end of the run: RSS %.0f MiB, peak over the whole run %.0f MiB (the promotion check batch included)\n", endRSS, endHWM)
	return nil
}

// profileIf fetches a CPU profile of the server for secs seconds into o.profile when phase is the
// one asked for; the returned channel closes when the profile is written (or at once).
func profileIf(o options, debugAddr, phase string, secs int) chan struct{} {
	done := make(chan struct{})
	if debugAddr == "" || o.profilePhase != phase {
		close(done)
		return done
	}
	go func() {
		defer close(done)
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
			step("server CPU profile of the %s phase written to %s (go tool pprof -top %s %s)", phase, o.profile, o.server, o.profile)
		}
	}()
	return done
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
	cpu     cpuUse              // cores used by server/PostgreSQL/load generator during the phase
	fixed   map[float64]float64 // percentiles (ms) measured elsewhere (wrk), when lat is empty
}

func (p phase) rate() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(p.count-p.errors) / p.elapsed.Seconds()
}

func (p phase) pct(q float64) float64 {
	if len(p.lat) == 0 {
		return p.fixed[q]
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
	cpu0 := sampleCPU()
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
	p := rec.phase(name, time.Since(start))
	p.cpu = cpu0.since()
	return p
}

// timed runs op repeatedly with conc workers for d.
func (c *client) timed(name string, d time.Duration, conc int, op func(worker int, r *rand.Rand) error) phase {
	var rec recorder
	cpu0 := sampleCPU()
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
	p := rec.phase(name, time.Since(start))
	p.cpu = cpu0.since()
	return p
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

// eligibilityBatch seeds a roster of n cadres (seedRoster), uploads it to the batch promotion check
// as personnel1 (province scope) and times the request from upload to the whole answer received;
// count is the rows checked. Each cadre is checked for the next level up in its post category.
func (c *client) eligibilityBatch(db *sql.DB, n int) (phase, error) {
	if n <= 0 {
		return phase{name: "elig-row"}, nil
	}
	t0 := time.Now()
	counts, err := seedRoster(db, n)
	if err != nil {
		return phase{}, fmt.Errorf("seed roster: %w", err)
	}
	step("seeded %d roster cadres with %d post records, %d certificates, %d ledger entries in %.1f s",
		n, counts[0], counts[1], counts[2], time.Since(t0).Seconds())
	roster, err := rosterWorkbook(db)
	if err != nil {
		return phase{}, fmt.Errorf("roster workbook: %w", err)
	}
	tok, err := c.login("personnel1")
	if err != nil {
		return phase{}, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "roster.xlsx")
	_, _ = fw.Write(roster)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/eligibility/batch", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	// A roster of 100,000 rows may take longer than the client's usual timeout.
	hc := &http.Client{Transport: c.http.Transport, Timeout: 5 * time.Minute}
	cpu0 := sampleCPU()
	start := time.Now()
	resp, err := hc.Do(req)
	var got int64
	batchID := ""
	if err == nil {
		got, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		batchID = resp.Header.Get("X-Eligibility-Batch-Id")
		if resp.StatusCode != 200 {
			err = &httpError{status: resp.StatusCode, msg: fmt.Sprintf("batch: %d", resp.StatusCode)}
		}
	}
	elapsed := time.Since(start)
	var rec recorder
	for i := 0; i < n; i++ {
		rec.add(elapsed/time.Duration(n), nil) // per-row share of the batch
	}
	if err != nil {
		rec.errors, rec.samples = n, []string{err.Error()}
	}
	p := rec.phase("elig-row", elapsed)
	p.cpu = cpu0.since()
	if err == nil {
		var b struct{ Rows, Eligible, Ineligible, Problems int }
		if e := c.do("GET", "/api/v1/eligibility/batches/"+batchID, tok, nil, &b); e != nil {
			return p, e
		}
		step("eligibility batch: %d rows in %.2f s, %.0f rows/s (target < 10 s); roster %.1f MB, answer %.1f MB; "+
			"%d eligible, %d not, %d not checkable; cores server/PostgreSQL/load %s",
			n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), float64(len(roster))/(1<<20), float64(got)/(1<<20),
			b.Eligible, b.Ineligible, b.Problems, p.cpu)
		if b.Rows != n || b.Problems != 0 {
			return p, fmt.Errorf("batch record %+v, want %d rows all checked", b, n)
		}
	}
	return p, nil
}

// seedRoster inserts n cadres ROSTER-000001 ... in the province org with varied files, each with
// three post records (the current one a 乡科级 post, some still in probation), up to three
// certificates of the subjects its promotion needs (some expired, suspended or revoked) and three
// training ledger entries, in a few INSERT ... SELECT over generate_series. It returns the
// numbers of post records, certificates and ledger entries.
func seedRoster(db *sql.DB, n int) ([3]int64, error) {
	var counts [3]int64
	tx, err := db.Begin()
	if err != nil {
		return counts, err
	}
	defer tx.Rollback() //nolint:errcheck
	// g is the cadre's number; ws its work start; s2, s3 the starts of its second and current posts.
	const dates = `DATE '1988-07-01' + (g * 1597 % 9000) AS ws,
		DATE '1988-07-01' + (g * 1597 % 9000) + 1460 + (g * 31 % 1100) AS s2,
		DATE '1988-07-01' + (g * 1597 % 9000) + 1460 + (g * 31 % 1100) + 1095 + (g * 53 % 1100) AS s3`
	stmts := []string{
		`INSERT INTO cadres (org_id, code, name, gender, birth_date, ethnicity, education, party_join_date, work_start_date, reserve,
			current_post, post_level, post_category, term_start, created_at, updated_at)
		SELECT (SELECT id FROM orgs WHERE code = 'P'), 'ROSTER-' || lpad(g::text, 6, '0'),
			(ARRAY['张','王','李','赵','刘','陈','杨','黄','周','吴','徐','孙'])[1 + g % 12] ||
				(ARRAY['伟','芳','娜','敏','静','强','磊','军','洋','勇','艳','杰','涛','明','超'])[1 + g * 7 % 15],
			CASE WHEN g % 3 = 0 THEN 'female' ELSE 'male' END, ws - 8036, CASE WHEN g % 12 = 0 THEN '回族' ELSE '汉族' END,
			(ARRAY['bachelor','master','college','bachelor','secondary','doctorate','bachelor','college'])[1 + g % 8],
			CASE WHEN g % 9 = 0 THEN NULL ELSE ws + 400 + (g * 1009 % 3000) END, ws, g % 5 = 0,
			CASE WHEN g % 2 = 0 THEN '科长' ELSE '副科长' END, CASE WHEN g % 2 = 0 THEN 'township_principal' ELSE 'township_deputy' END,
			(ARRAY['administrative','party_government_leader','party_mass'])[1 + g % 3], s3, now(), now()
		FROM (SELECT g, ` + dates + ` FROM generate_series(1, $1) g) x`,
		// 科员, then a deputy post (principals) or a second 科员 post (deputies), then the current post.
		`INSERT INTO post_records (cadre_id, title, post_level, post_category, unit_name, start_date, end_date, grassroots, leadership,
			probation_end, appointment_type)
		SELECT c.id,
			CASE WHEN k = 3 THEN c.current_post WHEN k = 2 AND g % 2 = 0 THEN '副科长' ELSE '科员' END,
			CASE WHEN k = 3 THEN c.post_level WHEN k = 2 AND g % 2 = 0 THEN 'township_deputy' END,
			c.post_category, (ARRAY['某县财政局','某乡人民政府','某县委组织部','某镇党委'])[1 + (g + k) % 4],
			CASE k WHEN 1 THEN ws WHEN 2 THEN s2 ELSE s3 END, CASE k WHEN 1 THEN s2 WHEN 2 THEN s3 END,
			(k = 1 AND g % 3 <> 0) OR (k = 2 AND g % 4 = 0), k = 3 OR (k = 2 AND g % 2 = 0),
			CASE WHEN k = 3 AND g % 4 < 2 THEN s3 + 365 END, 'appointment'
		FROM (SELECT c.*, substr(c.code, 8)::int AS g FROM cadres c WHERE c.code LIKE 'ROSTER-%') c
		CROSS JOIN LATERAL (SELECT ` + dates + `) d CROSS JOIN generate_series(1, 3) k`,
		`INSERT INTO certificate_keys (kid, alg, public_jwk, created_at) VALUES ('load-roster', 'EdDSA', '{}', now())
		ON CONFLICT (kid) DO NOTHING`,
		// The subjects the next level up needs in the cadre's category; about four in five held.
		`INSERT INTO certificates (number, cadre_id, holder_name, subject_code, subject_name, attempt_hash, score, issuer, issued_at,
			issued_on, expires_on, status, status_reason, status_changed_at, key_id, credential, verify_token, created_at, updated_at)
		SELECT 'LR' || lpad(g::text, 6, '0') || '-' || j, c.id, c.name, s, s, 'sha256:load-roster-' || g || '-' || j, 60 + g % 40,
			'中共示范省委组织部', issued::timestamptz, issued, issued + 1094,
			CASE WHEN g % 29 = 0 THEN 'revoked' WHEN g % 31 = 0 THEN 'suspended' ELSE 'valid' END,
			CASE WHEN g % 29 = 0 OR g % 31 = 0 THEN '违纪处理' ELSE '' END, issued::timestamptz, 'load-roster', 'load', md5(g || '-' || j),
			now(), now()
		FROM (SELECT c.*, substr(c.code, 8)::int AS g FROM cadres c WHERE c.code LIKE 'ROSTER-%') c
		CROSS JOIN LATERAL unnest(CASE c.post_category
			WHEN 'party_government_leader' THEN ARRAY['political_theory','decision_making','coordination']
			WHEN 'administrative' THEN ARRAY['political_theory','administration']
			ELSE ARRAY['political_theory','party_affairs'] END) WITH ORDINALITY AS u(s, j)
		CROSS JOIN LATERAL (SELECT CASE WHEN g % 11 = 0 THEN DATE '2019-05-01' ELSE DATE '2021-03-01' + (g * 13 % 1500) END AS issued) i
		WHERE (g + j) % 5 <> 0`,
		`INSERT INTO training_ledger (cadre_id, course_title, school_name, mode, recognized, hours, from_date, to_date, year, created_at, created_by)
		SELECT c.id, '专题培训班', '中共示范省委党校', CASE WHEN k = 3 AND g % 2 = 0 THEN 'online' ELSE 'centralized' END, g % 13 <> 0,
			40 + (g * k * 37 % 200), f, f + 3, extract(year FROM f)::int, now(), 'load'
		FROM (SELECT c.*, substr(c.code, 8)::int AS g FROM cadres c WHERE c.code LIKE 'ROSTER-%') c
		CROSS JOIN generate_series(1, 3) k
		CROSS JOIN LATERAL (SELECT DATE '2022-01-10' + (g * k * 97 % 1700) AS f) d`,
	}
	for i, q := range stmts {
		var args []any
		if i == 0 {
			args = []any{n}
		}
		res, err := tx.Exec(q, args...)
		if err != nil {
			return counts, fmt.Errorf("statement %d: %w", i+1, err)
		}
		switch i {
		case 1, 3, 4:
			counts[map[int]int{1: 0, 3: 1, 4: 2}[i]], _ = res.RowsAffected()
		}
	}
	if _, err := tx.Exec(`ANALYZE cadres, post_records, certificates, training_ledger`); err != nil {
		return counts, err
	}
	return counts, tx.Commit()
}

// rosterWorkbook writes the batch roster of the seeded roster cadres: each for the next level up
// (乡科级副职 -> 乡科级正职, 乡科级正职 -> 县处级副职) in its post category.
func rosterWorkbook(db *sql.DB) ([]byte, error) {
	rows, err := db.Query(`SELECT c.code, l.name, p.name FROM cadres c
		JOIN post_levels l ON l.ord = (SELECT ord - 1 FROM post_levels WHERE code = c.post_level)
		JOIN post_categories p ON p.code = c.post_category
		WHERE c.code LIKE 'ROSTER-%' ORDER BY c.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	_ = sw.SetRow("A1", []any{"干部编号", "拟任职务层次", "职务类别"})
	line := make([]any, 3)
	for n := 2; rows.Next(); n++ {
		var code, level, category string
		if err := rows.Scan(&code, &level, &category); err != nil {
			return nil, err
		}
		line[0], line[1], line[2] = code, level, category
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, line); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
