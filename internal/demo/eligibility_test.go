package demo

import (
	"context"
	"testing"

	"qualify/internal/apitest"
	"qualify/internal/eligibility"
	"qualify/internal/identity"
)

// TestEligibilityDemos loads the org tree and the promotion-check demo cadres (twice: idempotent)
// and checks that each shows its outcome.
func TestEligibilityDemos(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		orgs := Orgs{}
		if err := loadTree(ctx, e.App, Tree(), nil, orgs); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := loadEligibility(ctx, e.App, orgs, &Report{}); err != nil {
				t.Fatal(err)
			}
		}
		actor := identity.Principal{Username: "system", Roles: []identity.Role{identity.RolePersonnel}, OrgPath: orgs["P"].Path}
		want := map[string][]string{"ELG001": nil, "ELG002": {"certificate.decision_making", "certificate.coordination"},
			"ELG003": {"training"}, "ELG004": {"grassroots"}, "ELG005": {"time_in_post", "probation", "since_last_promotion"}}
		for code, fails := range want {
			c, err := e.App.Store.CadreByCode(ctx, code)
			if err != nil || c == nil {
				t.Fatalf("%s: %v", code, err)
			}
			ch, err := e.App.Eligibility.Check(ctx, actor, eligibility.Request{CadreID: c.ID, TargetLevel: "county_deputy", PostCategory: "party_government_leader"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range ch.Rules {
				if r.Status == eligibility.Fail {
					got = append(got, r.Code)
				}
			}
			if len(got) != len(fails) || ch.Eligible != (len(fails) == 0) {
				t.Errorf("%s fails %v, want %v: %+v", code, got, fails, ch.Rules)
				continue
			}
			for i := range got {
				if got[i] != fails[i] {
					t.Errorf("%s fails %v, want %v", code, got, fails)
				}
			}
		}
		if led, _ := e.App.Store.Ledger(ctx, mustID(t, e, "ELG001")); len(led) != 2 {
			t.Fatalf("ledger of ELG001 after two loads: %d entries", len(led))
		}
	})
}

func mustID(t *testing.T, e *apitest.Env, code string) int64 {
	t.Helper()
	c, err := e.App.Store.CadreByCode(context.Background(), code)
	if err != nil || c == nil {
		t.Fatalf("%s: %v", code, err)
	}
	return c.ID
}
