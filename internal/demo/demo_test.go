package demo_test

import (
	"context"
	"os"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/demo"
	"qualify/internal/platform/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func TestLoadCadres(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		start := time.Now()
		rep, err := demo.Load(ctx, e.App, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("first load %s", time.Since(start))
		if rep.Cadres < 950 || rep.Cadres > 1050 {
			t.Fatalf("cadres %d", rep.Cadres)
		}
		start = time.Now()
		again, err := demo.Load(ctx, e.App, apitest.Password)
		if err != nil || again.Cadres != rep.Cadres {
			t.Fatalf("second load: %v %d", err, again.Cadres)
		}
		t.Logf("second load %s", time.Since(start))

		tok := e.Login("personnel1")
		var page struct{ Total int }
		e.Do("GET", "/api/v1/cadres?pageSize=1", tok, nil).Status(200).JSON(&page)
		if page.Total != rep.Cadres {
			t.Fatalf("personnel1 sees %d cadres, loaded %d (idempotent load must not duplicate)", page.Total, rep.Cadres)
		}
		// The whole bank is loaded, and every subject's demo exam published with its 100-point
		// blueprint; cadre001 may sit all six.
		if rep.Items < 1000 || rep.Exams != 6 || again.Exams != 6 {
			t.Fatalf("bank items %d, exams %d (again %d)", rep.Items, rep.Exams, again.Exams)
		}
		var mine []struct {
			State       string
			TotalPoints float64
		}
		e.Do("GET", "/api/v1/me/exams", e.Login("cadre001"), nil).Status(200).JSON(&mine)
		if len(mine) != 6 {
			t.Fatalf("cadre001 may sit %d exams, want 6", len(mine))
		}
		for _, m := range mine {
			if m.State != "available" || m.TotalPoints != 100 {
				t.Fatalf("demo exam %+v", m)
			}
		}
		levels := map[string]int{}
		for _, lv := range []string{"bureau_principal", "bureau_deputy", "county_principal", "county_deputy", "township_principal", "township_deputy"} {
			e.Do("GET", "/api/v1/cadres?pageSize=1&postLevel="+lv, tok, nil).Status(200).JSON(&page)
			levels[lv] = page.Total
		}
		if levels["bureau_principal"] == 0 || levels["county_deputy"] <= levels["bureau_deputy"] || levels["township_deputy"] <= levels["county_deputy"] {
			t.Errorf("rank ladder spread %v", levels)
		}
		var me struct {
			ID    int64
			Name  string
			Posts []struct{ StartDate string }
		}
		for _, u := range []string{"cadre001", "cadre100"} {
			e.Do("GET", "/api/v1/me/cadre", e.Login(u), nil).Status(200).JSON(&me)
			if me.ID == 0 || me.Name == "" || len(me.Posts) < 2 || len(me.Posts) > 5 {
				t.Errorf("%s: %+v", u, me)
			}
		}
	})
}
