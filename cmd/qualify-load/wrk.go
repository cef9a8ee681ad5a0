package main

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The hot phases (autosave, public verification) can be driven by wrk, a load generator written
// in C, when it is installed (Debian: apt-get install wrk; -client go forces the Go client). On a
// 2-core machine shared by the generator, the server and PostgreSQL, the Go client spends about
// 0.08 ms of CPU per request; wrk spends a fraction of that, so more of the machine measures the
// server, as in production where browsers are elsewhere.

// wrkScript reads its requests from the data file given as its argument: one line per
// candidate (autosave: token, attempt, items separated by commas; verify: path and query).
// Each thread takes its own lines round-robin, so no two requests for one answer are in flight
// at once, and numbers its saves above every seq the suite used before.
const wrkScript = `
local threads = {}
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

local rows = {}
local counter = 0
local mode = ""
function init(args)
  mode = args[1]
  for line in io.lines(args[2]) do
    local row = {}
    for f in string.gmatch(line, "[^\t]+") do table.insert(row, f) end
    if mode == "save" then
      local items = {}
      for x in string.gmatch(row[3], "[^,]+") do table.insert(items, x) end
      row[3] = items
      row[4] = "/api/v1/attempts/" .. row[2] .. "/answers/"
      row[5] = {["Authorization"] = "Bearer " .. row[1], ["Content-Type"] = "application/json"}
    end
    table.insert(rows, row)
  end
  nthreads = tonumber(args[3])
  math.randomseed(tid * 7919 + os.time())
end

function request()
  counter = counter + 1
  local idx = ((counter - 1) * nthreads + tid) % #rows + 1
  local row = rows[idx]
  if mode == "save" then
    local items = row[3]
    local seq = string.format("%d", 549755813888 + counter * nthreads + tid)
    return wrk.format("PUT", row[4] .. items[math.random(#items)], row[5], '{"answer":"A","seq":' .. seq .. '}')
  end
  return wrk.format("GET", row[1], {["X-Forwarded-For"] = "198.51.100." .. math.random(250)})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %d %d %d %d %d %d\n", summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
`

// wrkAvailable reports whether the hot phases run on wrk.
func wrkAvailable(o options) bool {
	if o.client == "go" {
		return false
	}
	_, err := exec.LookPath("wrk")
	return err == nil
}

// wrkSaves writes the autosave data (token, attempt, items) for wrk.
func wrkSaves(dir string, toks []string, atts []attempt) (string, error) {
	var b strings.Builder
	for i, a := range atts {
		if len(a.items) == 0 || toks[i] == "" {
			continue
		}
		items := make([]string, len(a.items))
		for k, it := range a.items {
			items[k] = strconv.FormatInt(it, 10)
		}
		fmt.Fprintf(&b, "%s\t%d\t%s\n", toks[i], a.id, strings.Join(items, ","))
	}
	f := filepath.Join(dir, "saves.tsv")
	return f, os.WriteFile(f, []byte(b.String()), 0o600)
}

// wrkLookups writes public verification paths (number and holder name) for wrk.
func wrkLookups(dir string, certs [][2]string) (string, error) {
	var b strings.Builder
	for _, x := range certs {
		fmt.Fprintf(&b, "/api/v1/public/certificates/%s?name=%s\n", url.PathEscape(x[0]), url.QueryEscape(x[1]))
	}
	f := filepath.Join(dir, "lookups.tsv")
	return f, os.WriteFile(f, []byte(b.String()), 0o600)
}

// runWrk runs wrk against base for d with conns connections in mode (save or lookup) over data,
// and returns the phase it measured; every non-2xx answer and every socket error is an error.
func runWrk(name, base, mode, data string, d time.Duration, conns int) (phase, error) {
	dir := filepath.Dir(data)
	script := filepath.Join(dir, "qualify.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o600); err != nil {
		return phase{}, err
	}
	threads := 2
	cpu0 := sampleCPU()
	cmd := exec.Command("wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--timeout", "10s", "-s", script, base, "--", mode, data, strconv.Itoa(threads))
	out, err := cmd.CombinedOutput()
	cpu := cpu0.since()
	if err != nil {
		return phase{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 8 || f[0] != "WRKRESULT" {
			continue
		}
		var v [7]int64
		for i := range v {
			v[i], _ = strconv.ParseInt(f[i+1], 10, 64)
		}
		p := phase{name: name, count: int(v[0]), errors: int(v[1] + v[2]), elapsed: time.Duration(v[3]) * time.Microsecond, cpu: cpu,
			fixed: map[float64]float64{50: float64(v[4]) / 1000, 95: float64(v[5]) / 1000, 99: float64(v[6]) / 1000}}
		if p.errors > 0 {
			p.samples = []string{fmt.Sprintf("wrk: %d error answers, %d socket errors", v[1], v[2])}
		}
		return p, nil
	}
	return phase{}, fmt.Errorf("wrk printed no result:\n%s", out)
}
