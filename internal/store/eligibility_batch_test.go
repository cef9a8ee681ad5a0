package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/eligibility"
	"qualify/internal/org"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
	"qualify/internal/store"
	"qualify/internal/training"
)

// seedFacts makes n cadres, each with a post history, certificates, a ledger and an exception.
func seedFacts(t *testing.T, s *store.Store, n int) []cadre.Cadre {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	o := org.Org{Name: "测试单位", Kind: org.Kind("unit"), Code: "T1", Path: "/t1/", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateOrg(ctx, &o); err != nil {
		t.Fatal(err)
	}
	cs := make([]cadre.Cadre, n)
	for i := range cs {
		cs[i] = cadre.Cadre{OrgID: o.ID, Code: fmt.Sprintf("B-%03d", i), Name: fmt.Sprintf("干部%d", i), Gender: cadre.Male,
			BirthDate: civil.New(1980, 1, 1+i%28), Education: cadre.Bachelor, PartyJoinDate: civil.New(2003, 7, 1),
			WorkStartDate: civil.New(2002, 7, 1), PostCategory: "administrative", PostLevel: "township_principal",
			TermStart: civil.New(2020, 1, 1), CreatedAt: now, UpdatedAt: now}
	}
	if err := s.CreateCadres(ctx, cs); err != nil {
		t.Fatal(err)
	}
	var posts []cadre.PostRecord
	var ledger []training.LedgerEntry
	for i, c := range cs {
		// Out of order, and two starting on one day: the reads must order them as the one-cadre reads do.
		posts = append(posts,
			cadre.PostRecord{CadreID: c.ID, Title: "科长", PostLevel: "township_principal", PostCategory: "administrative",
				UnitName: "某局", Start: civil.New(2020, 1, 1), AppointmentType: cadre.Appointment},
			cadre.PostRecord{CadreID: c.ID, Title: "副科长", PostLevel: "township_deputy", PostCategory: "administrative",
				UnitName: "某局", Start: civil.New(2015, 1, 1), End: civil.New(2020, 1, 1), Grassroots: i%2 == 0, AppointmentType: cadre.Appointment},
			cadre.PostRecord{CadreID: c.ID, Title: "科员", PostCategory: "administrative", UnitName: "某乡",
				Start: civil.New(2015, 1, 1), End: civil.New(2015, 1, 1), ProbationEnd: civil.New(2016, 1, 1), AppointmentType: cadre.Election})
		ledger = append(ledger,
			training.LedgerEntry{CadreID: c.ID, CourseTitle: "班", Mode: training.Centralized, Recognized: true, Hours: 40,
				From: civil.New(2024, 3, 1), To: civil.New(2024, 3, 5), Year: 2024, CreatedAt: now, CreatedBy: "t"},
			training.LedgerEntry{CadreID: c.ID, CourseTitle: "网课", Mode: training.Online, Recognized: i%3 != 0, Hours: 12.5,
				From: civil.New(2025, 5, 1), To: civil.New(2025, 5, 1), Year: 2025, CreatedAt: now, CreatedBy: "t"})
	}
	if err := s.CreatePostRecords(ctx, posts); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLedger(ctx, ledger); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Gorm.Exec("INSERT INTO certificate_keys (kid, alg, public_jwk, created_at) VALUES ('k1', 'EdDSA', '{}', ?)", now).Error; err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		for j, subj := range []string{"political_theory", "administration", "political_theory"} {
			issued := civil.New(2021+j, 3, 1)
			x := cert.Certificate{Number: fmt.Sprintf("N-%d-%d", i, j), CadreID: c.ID, HolderName: c.Name, SubjectCode: subj,
				SubjectName: subj, AttemptHash: fmt.Sprintf("h-%d-%d", i, j), Score: 80, Issuer: "省委组织部",
				IssuedAt: issued.Time(), IssuedOn: issued, ExpiresOn: issued.AddYears(3).AddDays(-1), Status: cert.Valid,
				StatusAt: now, KeyID: "k1", Credential: "jws", VerifyToken: "v", CreatedAt: now, UpdatedAt: now}
			if j == 2 {
				x.Status, x.StatusReason = cert.Suspended, "暂停"
			}
			if err := s.CreateCertificate(ctx, &x); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 0 {
			e := eligibility.Exception{CadreID: c.ID, TargetLevel: "county_deputy", Kind: eligibility.Exceptional,
				Justification: "remote_area", Approver: "省委组织部", DocumentNo: fmt.Sprintf("文%d", i),
				Rules: []string{"grassroots"}, CreatedAt: now, CreatedBy: "t"}
			if err := s.CreateEligibilityException(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cs
}

// TestBulkFactsMatchOneCadreReads checks that the batch's reads find what the single check's find,
// in the same order (certificates and ledger entries with the fields a check reads).
func TestBulkFactsMatchOneCadreReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := store.New(d)
		ctx := context.Background()
		cs := seedFacts(t, s, 7)
		codes := []string{"B-003", "NOPE", "B-000", "B-006"}
		found, err := s.CadresByCodes(ctx, codes)
		if err != nil || len(found) != 3 {
			t.Fatalf("cadres by codes %v %v", found, err)
		}
		for _, c := range found {
			one, err := s.CadreByCode(ctx, c.Code)
			if err != nil || fmt.Sprint(*one) != fmt.Sprint(c) {
				t.Fatalf("cadre %s:\n bulk %+v\n one  %+v (%v)", c.Code, c, one, err)
			}
		}
		ids := make([]int64, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		posts, err := s.PostRecordsOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		certs, err := s.CertificatesOfCadres(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		ledger, err := s.LedgerOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		exs, err := s.EligibilityExceptionsOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			p, _ := s.PostRecords(ctx, id)
			if fmt.Sprint(p) != fmt.Sprint(posts[id]) {
				t.Fatalf("posts of %d:\n bulk %+v\n one  %+v", id, posts[id], p)
			}
			c, _ := s.CertificatesOfCadre(ctx, id)
			if len(c) != len(certs[id]) {
				t.Fatalf("certificates of %d: %d, want %d", id, len(certs[id]), len(c))
			}
			for i, x := range certs[id] {
				y := c[i]
				if x.ID != y.ID || x.Number != y.Number || x.SubjectCode != y.SubjectCode || x.IssuedOn != y.IssuedOn ||
					x.ExpiresOn != y.ExpiresOn || x.Status != y.Status || x.StatusReason != y.StatusReason || !x.IssuedAt.Equal(y.IssuedAt) {
					t.Fatalf("certificate %d of %d:\n bulk %+v\n one  %+v", i, id, x, y)
				}
			}
			l, _ := s.Ledger(ctx, id)
			if len(l) != len(ledger[id]) {
				t.Fatalf("ledger of %d: %d, want %d", id, len(ledger[id]), len(l))
			}
			for i, x := range ledger[id] {
				y := l[i]
				if x.ID != y.ID || x.Mode != y.Mode || x.Recognized != y.Recognized || x.Hours != y.Hours || x.From != y.From || x.To != y.To {
					t.Fatalf("ledger entry %d of %d:\n bulk %+v\n one  %+v", i, id, x, y)
				}
			}
			e, _ := s.EligibilityExceptions(ctx, id)
			if fmt.Sprint(e) != fmt.Sprint(exs[id]) {
				t.Fatalf("exceptions of %d:\n bulk %+v\n one  %+v", id, exs[id], e)
			}
		}
	})
}

// TestCreateEligibilityChecks stores checks in bulk, in a bulk transaction (COPY on PostgreSQL)
// and in an ordinary one, and reads them back as single checks.
func TestCreateEligibilityChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := store.New(d)
		ctx := context.Background()
		cs := seedFacts(t, s, 3)
		reqs, err := s.EligibilityRequirements(ctx)
		if err != nil || len(reqs) == 0 {
			t.Fatal(reqs, err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		b := eligibility.Batch{OrgPath: "/t1/", FileName: "名单.xlsx", FileSHA256: "ab", CreatedAt: now, CreatedBy: "tester"}
		if err := s.CreateEligibilityBatch(ctx, &b); err != nil {
			t.Fatal(err)
		}
		newChecks := func(n int) []eligibility.Check {
			out := make([]eligibility.Check, n)
			for i := range out {
				c := cs[i%len(cs)]
				out[i] = eligibility.Check{CadreID: c.ID, TargetLevel: "county_deputy", PostCategory: "administrative",
					AsOf: civil.New(2026, 6, 30), Eligible: i%2 == 0, RequirementID: reqs[0].ID, CheckedAt: now, CheckedBy: "tester",
					BatchID: b.ID, Rules: []eligibility.RuleResult{
						{Code: "level_step", Title: "逐级提拔", Status: eligibility.Pass, Detail: fmt.Sprintf("第%d行 <&>\"", i), Basis: "第九条"},
						{Code: "health", Title: "健康状况", Status: eligibility.Manual, Detail: "须核实\n", Basis: "第八条"}}}
			}
			return out
		}
		var all []eligibility.Check
		for _, tx := range []func(context.Context, func(context.Context) error) error{s.InBulkTx, s.InTx} {
			checks := newChecks(2500) // more than one multi-row INSERT on SQLite
			if err := tx(ctx, func(ctx context.Context) error { return s.CreateEligibilityChecks(ctx, checks) }); err != nil {
				t.Fatal(err)
			}
			all = append(all, checks...)
		}
		for i := range all {
			if i > 0 && all[i].ID <= all[i-1].ID {
				t.Fatalf("IDs not ascending at %d: %d after %d", i, all[i].ID, all[i-1].ID)
			}
		}
		for _, i := range []int{0, 1, 2499, 2500, 4999} {
			want := all[i]
			got, err := s.EligibilityCheckByID(ctx, want.ID)
			if err != nil || got == nil {
				t.Fatalf("check %d: %v", want.ID, err)
			}
			if got.BatchID != b.ID || got.CadreID != want.CadreID || got.Eligible != want.Eligible || got.AsOf != want.AsOf ||
				!got.CheckedAt.Equal(want.CheckedAt) || got.RequirementID != want.RequirementID ||
				fmt.Sprint(got.Rules) != fmt.Sprint(want.Rules) {
				t.Fatalf("check %d:\n got  %+v\n want %+v", i, got, want)
			}
		}
		list, total, err := s.SearchEligibilityChecks(ctx, eligibility.CheckFilter{BatchID: b.ID, PathPrefix: "/t1/", Page: 1, PageSize: 10})
		if err != nil || total != int64(len(all)) || list[0].ID != all[len(all)-1].ID {
			t.Fatalf("batch listing: %d of %d, %v", len(list), total, err)
		}
		b.Rows, b.Eligible, b.Ineligible, b.Digest = 5000, 2500, 2500, "sha256:x"
		if err := s.UpdateEligibilityBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		got, err := s.EligibilityBatchByID(ctx, b.ID)
		if err != nil || got == nil || got.Rows != 5000 || got.Digest != "sha256:x" || got.FileName != "名单.xlsx" || !got.CreatedAt.Equal(now) {
			t.Fatalf("batch %+v %v", got, err)
		}
	})
}
