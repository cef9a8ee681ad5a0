package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"qualify/internal/apitest"
	"qualify/internal/identity"
)

// trainingWorld is a school with a scheduler, two venues, two teachers, a personnel office and
// three cadres (one with an account).
type trainingWorld struct {
	e                  *apitest.Env
	school, personnel  string
	cadreTok, sysadmin string
	schoolID           int64
	bigRoom, smallRoom int64
	teacherA, teacherB int64
	cadres             []int64
}

func newTrainingWorld(t *testing.T, e *apitest.Env) *trainingWorld {
	w := &trainingWorld{e: e}
	sch := e.Org(&e.Root, "unit", "省委党校", "SCHOOL")
	unit := e.Org(&e.Root, "unit", "省财政厅", "FIN")
	w.schoolID = sch.ID
	w.school = e.As("school1", sch.ID, identity.RoleSchool)
	w.personnel = e.As("personnel1", e.Root.ID, identity.RolePersonnel)
	w.sysadmin = e.As("sysadmin", e.Root.ID, identity.RoleSysadmin)
	for i := 0; i < 3; i++ {
		var out struct{ ID int64 }
		e.Do("POST", "/api/v1/cadres", w.personnel, cadreBody(unit.ID, fmt.Sprintf("T-%03d", i), fmt.Sprintf("学员%d", i))).Status(201).JSON(&out)
		w.cadres = append(w.cadres, out.ID)
	}
	id := w.cadres[0]
	if _, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: "cadre001", DisplayName: "学员0",
		Password: apitest.Password, OrgID: unit.ID, CadreID: &id}, []identity.Role{identity.RoleCadre}); err != nil {
		t.Fatal(err)
	}
	w.cadreTok = e.Login("cadre001")
	w.bigRoom = w.create(t, "/api/v1/venues", map[string]any{"name": "大礼堂", "capacity": 200})
	w.smallRoom = w.create(t, "/api/v1/venues", map[string]any{"name": "研讨室", "capacity": 2})
	w.teacherA = w.create(t, "/api/v1/teachers", map[string]any{"name": "张教授", "disciplines": []string{"党史"}, "topics": []string{"党的二十大精神"}})
	w.teacherB = w.create(t, "/api/v1/teachers", map[string]any{"name": "李教授", "unavailable": []map[string]string{
		{"start": "2026-03-01T00:00:00+08:00", "end": "2026-03-15T00:00:00+08:00"}}})
	return w
}

func (w *trainingWorld) create(t *testing.T, path string, body any) int64 {
	t.Helper()
	var out struct{ ID int64 }
	w.e.Do("POST", path, w.school, body).Status(201).JSON(&out)
	return out.ID
}

func (w *trainingWorld) course(t *testing.T, code string, teacher int64, sessions, capacity int) int64 {
	t.Helper()
	body := map[string]any{"code": code, "title": "课程" + code, "kind": "centralized",
		"targetLevels": []string{"township_deputy"}, "targetCategories": []string{"administrative"}, "plannedHours": 12,
		"sessions": sessions, "capacity": capacity,
		"outline": map[string]any{"topics": []string{"专题一"}, "readings": []string{"《条例》"}, "questions": []string{"思考题"}}}
	if teacher != 0 {
		body["teacherId"] = teacher
	}
	return w.create(t, "/api/v1/courses", body)
}

func session(course, venue, teacher int64, start, end string) map[string]any {
	return map[string]any{"courseId": course, "startsAt": start, "endsAt": end, "venueId": venue, "teacherId": teacher}
}

func TestTrainingCalendarDays(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		var days []struct{ Date, Kind, Name string }
		e.Do("GET", "/api/v1/calendar/days?from=2026-02-13&to=2026-02-16", w.cadreTok, nil).Status(200).JSON(&days)
		want := []string{"workday", "makeup_workday", "holiday", "holiday"}
		if len(days) != 4 {
			t.Fatalf("%+v", days)
		}
		for i, d := range days {
			if d.Kind != want[i] {
				t.Fatalf("%s: %s, want %s", d.Date, d.Kind, want[i])
			}
		}
		if days[1].Name != "春节" || days[3].Name != "春节" {
			t.Fatalf("names %+v", days)
		}
		e.Do("GET", "/api/v1/calendar/days?from=2026-02-13", w.cadreTok, nil).Problem(400, "validation_failed")
	})
}

func TestCalendarImportAndOverride(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		year := `{"year":2027,"papers":["x"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"春节","date":"2027-02-06","isOffDay":false}]}`
		e.Do("POST", "/api/v1/calendar/years", w.school, year).Problem(403, "forbidden")
		e.Do("POST", "/api/v1/calendar/years", w.sysadmin, `{"year":2027,"days":[]}`).Problem(400, "holiday_file_invalid")
		e.Do("POST", "/api/v1/calendar/years", w.sysadmin, year).Status(201)
		e.Do("PUT", "/api/v1/calendar/overrides/2027-03-03", w.sysadmin, map[string]string{"kind": "holiday", "name": "三月三"}).Status(200)
		var days []struct{ Date, Kind, Name string }
		e.Do("GET", "/api/v1/calendar/days?from=2027-01-01&to=2027-01-01", w.cadreTok, nil).Status(200).JSON(&days)
		if days[0].Kind != "holiday" {
			t.Fatalf("%+v", days)
		}
		e.Do("GET", "/api/v1/calendar/days?from=2027-02-06&to=2027-02-06", w.cadreTok, nil).Status(200).JSON(&days)
		if days[0].Kind != "makeup_workday" {
			t.Fatalf("%+v", days)
		}
		e.Do("GET", "/api/v1/calendar/days?from=2027-03-03&to=2027-03-03", w.cadreTok, nil).Status(200).JSON(&days)
		if days[0].Kind != "holiday" || days[0].Name != "三月三" {
			t.Fatalf("%+v", days)
		}
		e.Do("DELETE", "/api/v1/calendar/overrides/2027-03-03", w.sysadmin, nil).Status(204)
		e.Do("DELETE", "/api/v1/calendar/overrides/2027-03-03", w.sysadmin, nil).Problem(404, "not_found")
	})
}

func TestSessionConflicts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		c1 := w.course(t, "C1", w.teacherA, 4, 50)
		c2 := w.course(t, "C2", 0, 4, 50)
		c3 := w.course(t, "C3", 0, 4, 50)
		for _, c := range []int64{c1, c3} {
			e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c), w.school, map[string]int64{"cadreId": w.cadres[1]}).Status(201)
		}
		// 2026-03-02 is a Monday: evening only. 2026-02-14 is a make-up Saturday. 2026-02-17 is 春节.
		e.Do("POST", "/api/v1/sessions", w.school, session(c1, w.bigRoom, w.teacherA, "2026-03-02T18:30:00+08:00", "2026-03-02T21:30:00+08:00")).Status(201)
		for _, tc := range []struct{ name, start, end string }{
			{"workday afternoon", "2026-03-02T14:00:00+08:00", "2026-03-02T17:30:00+08:00"},
			{"make-up Saturday morning", "2026-02-14T08:30:00+08:00", "2026-02-14T12:00:00+08:00"},
			{"春节", "2026-02-17T08:30:00+08:00", "2026-02-17T12:00:00+08:00"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.Do("POST", "/api/v1/sessions", w.school, session(c2, w.bigRoom, 0, tc.start, tc.end)).Problem(422, "slot_not_allowed")
			})
		}
		e.Do("POST", "/api/v1/sessions", w.school, session(c2, w.bigRoom, 0, "2026-02-14T18:30:00+08:00", "2026-02-14T21:30:00+08:00")).Status(201)
		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"venue", session(c2, w.bigRoom, 0, "2026-03-02T19:00:00+08:00", "2026-03-02T21:00:00+08:00")},
			{"teacher", session(c2, w.smallRoom, w.teacherA, "2026-03-02T18:30:00+08:00", "2026-03-02T21:30:00+08:00")},
			{"cadre", session(c3, w.smallRoom, 0, "2026-03-02T18:30:00+08:00", "2026-03-02T21:30:00+08:00")},
			{"teacher unavailable", session(c2, w.smallRoom, w.teacherB, "2026-03-03T18:30:00+08:00", "2026-03-03T21:30:00+08:00")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.Do("POST", "/api/v1/sessions", w.school, tc.body).Problem(409, "schedule_conflict")
			})
		}
		t.Run("capacity", func(t *testing.T) {
			e.Do("POST", "/api/v1/sessions", w.school, session(c2, w.smallRoom, 0, "2026-03-04T18:30:00+08:00", "2026-03-04T21:30:00+08:00")).Problem(409, "schedule_conflict")
		})
		e.Do("POST", "/api/v1/sessions", w.cadreTok, session(c2, w.bigRoom, 0, "2026-03-04T18:30:00+08:00", "2026-03-04T21:30:00+08:00")).Status(403)
	})
}

func TestScheduleCourse(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		c1 := w.course(t, "C1", w.teacherA, 6, 50)
		c2 := w.course(t, "C2", w.teacherA, 6, 50)
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c1), w.school, map[string]int64{"cadreId": w.cadres[0]}).Status(201)
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c2), w.school, map[string]int64{"cadreId": w.cadres[0]}).Status(201)
		var res struct {
			Sessions []struct {
				ID               int64
				StartsAt, EndsAt string
				VenueID          *int64
			}
			Added int
		}
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/schedule", c1), w.school, map[string]string{"from": "2026-09-01", "to": "2026-10-31"}).Status(200).JSON(&res)
		if len(res.Sessions) != 6 || res.Added != 6 {
			t.Fatalf("%+v", res)
		}
		first := res.Sessions
		res.Sessions = nil
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/schedule", c2), w.school, map[string]string{"from": "2026-09-01", "to": "2026-10-31"}).Status(200).JSON(&res)
		for _, a := range first {
			for _, b := range res.Sessions {
				if a.StartsAt < b.EndsAt && b.StartsAt < a.EndsAt {
					t.Fatalf("teacher and cadre double-booked: %+v %+v", a, b)
				}
			}
		}
		// rescheduling C1 keeps its sessions (nothing else moves)
		var again struct{ Kept, Added, Removed int }
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/schedule", c1), w.school, map[string]string{"from": "2026-09-01", "to": "2026-10-31"}).Status(200).JSON(&again)
		if again.Kept != 6 || again.Added != 0 || again.Removed != 0 {
			t.Fatalf("reschedule %+v", again)
		}
		c3 := w.course(t, "C3", w.teacherB, 20, 50)
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/schedule", c3), w.school, map[string]string{"from": "2026-03-02", "to": "2026-03-22"}).Problem(422, "schedule_infeasible")
	})
}

func TestEnrollAttendanceAndHours(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		e.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", w.schoolID), w.personnel, map[string]any{"recognized": true}).Status(200)
		e.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", w.schoolID), w.school, map[string]any{"recognized": true}).Problem(403, "forbidden")
		c := w.course(t, "C1", w.teacherA, 7, 2)
		enroll := func(tok string, cadre int64, status int, want string) {
			var out struct {
				Status   string
				Position int
			}
			e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c), tok, map[string]int64{"cadreId": cadre}).Status(status).JSON(&out)
			if out.Status != want {
				t.Fatalf("enroll %d: %+v", cadre, out)
			}
		}
		enroll(w.cadreTok, w.cadres[0], 201, "enrolled")
		enroll(w.school, w.cadres[1], 201, "enrolled")
		enroll(w.school, w.cadres[2], 201, "waitlisted")
		enroll(w.school, w.cadres[2], 200, "waitlisted")
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c), w.cadreTok, map[string]int64{"cadreId": w.cadres[1]}).Problem(403, "forbidden")
		// seven evenings across the new year (past dates), cadre 1 misses two (> 1/7)
		dates := []string{"2025-12-29", "2025-12-30", "2025-12-31", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"}
		var ids []int64
		for _, d := range dates {
			var s struct{ ID int64 }
			e.Do("POST", "/api/v1/sessions", w.school, session(c, w.bigRoom, w.teacherA, d+"T18:30:00+08:00", d+"T21:30:00+08:00")).Status(201).JSON(&s)
			ids = append(ids, s.ID)
		}
		for i, id := range ids {
			marks := []map[string]any{{"cadreId": w.cadres[0], "present": true}, {"cadreId": w.cadres[1], "present": i < 5}}
			e.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/attendance", id), w.school, marks).Status(200)
		}
		e.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/attendance", ids[0]), w.school, []map[string]any{{"cadreId": w.cadres[2], "present": true}}).Problem(400, "validation_failed")
		var credit []struct {
			CadreID  int64
			Eligible bool
			Attended float64
			Credited []struct {
				Year  int
				Hours float64
			}
		}
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/credit", c), w.school, nil).Status(200).JSON(&credit)
		if len(credit) != 2 {
			t.Fatalf("%+v", credit)
		}
		for _, l := range credit {
			switch l.CadreID {
			case w.cadres[0]:
				if !l.Eligible || len(l.Credited) != 2 || l.Credited[0].Year != 2025 || l.Credited[0].Hours != 9 || l.Credited[1].Hours != 12 {
					t.Fatalf("cadre 0: %+v", l)
				}
			case w.cadres[1]:
				if l.Eligible || len(l.Credited) != 0 {
					t.Fatalf("cadre 1 beyond 1/7 leave: %+v", l)
				}
			}
		}
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/credit", c), w.school, nil).Status(200).JSON(&credit)
		var me struct {
			Requirement struct {
				Hours float64
				Years int
			}
			Years []struct {
				Year               int
				Total, Centralized float64
				ByKind             map[string]float64
			}
			Records []struct {
				Hours                           float64
				Year                            int
				Recognized, CountsAsCentralized bool
				Kind                            string
			}
		}
		e.Do("GET", "/api/v1/me/training", w.cadreTok, nil).Status(200).JSON(&me)
		if me.Requirement.Hours != 90 || len(me.Records) != 2 || len(me.Years) != 2 || !me.Records[0].CountsAsCentralized ||
			me.Years[0].ByKind["centralized"] == 0 {
			t.Fatalf("me/training %+v (credit twice must not duplicate)", me)
		}
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d/training", w.cadres[0]), w.personnel, nil).Status(200)
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d/training", w.cadres[0]), w.school, nil).Status(403)

		for _, path := range []string{"/api/v1/me/calendar.ics", fmt.Sprintf("/api/v1/schools/%d/calendar.ics", w.schoolID)} {
			t.Run("Ics "+path, func(t *testing.T) {
				r := e.Do("GET", path, w.cadreTok, nil).Status(200)
				cal, err := ical.NewDecoder(bytes.NewReader(r.Body)).Decode()
				if err != nil {
					t.Fatalf("parse: %v\n%s", err, r.Body)
				}
				if n := len(cal.Events()); n != 7 {
					t.Fatalf("%d events", n)
				}
				for _, ev := range cal.Events() {
					if ev.Props.Get(ical.PropUID) == nil || ev.Props.Get(ical.PropDateTimeStamp) == nil {
						t.Fatal("UID/DTSTAMP missing")
					}
				}
			})
		}
	})
}

func TestMoveAndCancelSession(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newTrainingWorld(t, e)
		// Future working days, whatever today is: cancelling is for sessions still to come.
		day := time.Now().In(shanghaiTZ).AddDate(0, 0, 14)
		for day.Weekday() != time.Tuesday {
			day = day.AddDate(0, 0, 1)
		}
		d1, d2 := day.Format("2006-01-02"), day.AddDate(0, 0, 1).Format("2006-01-02")
		at := func(d, hm string) string { return d + "T" + hm + ":00+08:00" }
		c1 := w.course(t, "M1", 0, 4, 50)
		c2 := w.course(t, "M2", 0, 4, 50)
		e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrollments", c1), w.school, map[string]int64{"cadreId": w.cadres[1]}).Status(201)
		var s1, s2, s3 struct{ ID int64 }
		e.Do("POST", "/api/v1/sessions", w.school, session(c1, w.bigRoom, 0, at(d1, "18:30"), at(d1, "21:30"))).Status(201).JSON(&s1)
		e.Do("POST", "/api/v1/sessions", w.school, session(c2, w.bigRoom, 0, at(d2, "18:30"), at(d2, "21:30"))).Status(201).JSON(&s2)
		move := func(id int64, start, end string) *apitest.Response {
			return e.Do("PATCH", fmt.Sprintf("/api/v1/sessions/%d", id), w.school, map[string]any{"startsAt": start, "endsAt": end})
		}
		// Onto another course's session in the same room: refused, the conflict named.
		move(s2.ID, at(d1, "19:00"), at(d1, "21:00")).Problem(409, "schedule_conflict")
		// Within its own old time: it does not conflict with itself.
		var moved struct{ StartsAt string }
		move(s1.ID, at(d1, "19:00"), at(d1, "21:00")).Status(200).JSON(&moved)
		if !strings.HasPrefix(moved.StartsAt, d1+"T19:00") {
			t.Fatalf("moved to %s", moved.StartsAt)
		}
		move(s1.ID, at(d1, "14:00"), at(d1, "17:00")).Problem(422, "slot_not_allowed")
		move(s1.ID, at(d1, "21:00"), at(d1, "19:00")).Problem(400, "validation_failed")
		e.Do("PATCH", fmt.Sprintf("/api/v1/sessions/%d", s1.ID), w.cadreTok, map[string]any{"startsAt": at(d1, "19:00"), "endsAt": at(d1, "21:00")}).Status(403)
		// Cancel a future session without attendance; its slot is free again.
		e.Do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", s2.ID), w.school, nil).Status(204)
		e.Do("POST", "/api/v1/sessions", w.school, session(c2, w.bigRoom, 0, at(d2, "18:30"), at(d2, "21:30"))).Status(201).JSON(&s3)
		e.Do("DELETE", "/api/v1/sessions/999999", w.school, nil).Problem(404, "not_found")
		// The enrollment list for attendance sheets names the cadres.
		var es []struct {
			CadreID int64
			Name    string
			Status  string
		}
		e.Do("GET", fmt.Sprintf("/api/v1/courses/%d/enrollments", c1), w.school, nil).Status(200).JSON(&es)
		if len(es) != 1 || es[0].CadreID != w.cadres[1] || es[0].Name == "" || es[0].Status != "enrolled" {
			t.Fatalf("enrollments %+v", es)
		}
	})
}

var shanghaiTZ = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()
