package demo

import (
	"context"
	"fmt"

	"qualify/internal/app"
	"qualify/internal/identity"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// demoTerm is the autumn term the demo school schedules.
var demoTerm = [2]civil.Date{civil.New(2026, 9, 1), civil.New(2026, 12, 31)}

// loadTraining sets up the provincial Party school (P-U2, where school1 sits): recognized, with
// venues, a faculty pool, a term of courses for the demo province's levels scheduled into
// evening and rest-day slots, and cadre001 enrolled in three of them. Existing venues, teachers
// and courses (by name or code) are kept; scheduling again keeps the sessions already placed.
func loadTraining(ctx context.Context, a *app.App, orgs Orgs) error {
	sch := orgs["P-U2"]
	actor := identity.Principal{Username: "system", Roles: []identity.Role{identity.RoleSchool}, OrgID: sch.ID, OrgPath: sch.Path}
	recognized := true
	if _, err := a.Training.UpdateSchool(ctx, actor, sch.ID, training.SchoolUpdate{Recognized: &recognized}); err != nil {
		return fmt.Errorf("school: %w", err)
	}
	venues, err := a.Training.Venues(ctx, actor)
	if err != nil {
		return err
	}
	haveVenue := map[string]bool{}
	for _, v := range venues {
		haveVenue[v.Name] = true
	}
	for _, v := range []training.Venue{{Name: "第一报告厅", Capacity: 300, Address: "教学楼一层"}, {Name: "第二教室", Capacity: 80, Address: "教学楼二层"},
		{Name: "第三教室", Capacity: 60, Address: "教学楼三层"}, {Name: "研讨室A", Capacity: 30, Address: "图书馆四层"}} {
		if !haveVenue[v.Name] {
			if _, err := a.Training.CreateVenue(ctx, actor, v); err != nil {
				return fmt.Errorf("venue %s: %w", v.Name, err)
			}
		}
	}
	teachers, err := a.Training.Teachers(ctx, actor)
	if err != nil {
		return err
	}
	teacherID := map[string]int64{}
	for _, t := range teachers {
		teacherID[t.Name] = t.ID
	}
	for _, t := range []training.Teacher{
		{Name: "王建华", Title: "教授", Disciplines: []string{"马克思主义理论"}, Topics: []string{"习近平新时代中国特色社会主义思想"}},
		{Name: "李秀兰", Title: "教授", Disciplines: []string{"党史党建"}, Topics: []string{"党的建设", "党内法规"}},
		{Name: "陈志强", Title: "副教授", Disciplines: []string{"公共管理"}, Topics: []string{"决策能力", "应急管理"}},
		{Name: "刘芳", Title: "副教授", Disciplines: []string{"经济学"}, Topics: []string{"新发展理念", "高质量发展"}},
		{Name: "赵明", Title: "讲师", Disciplines: []string{"法学"}, Topics: []string{"依法行政"}},
		{Name: "孙丽", Title: "讲师", Disciplines: []string{"领导科学"}, Topics: []string{"协调能力", "群众工作"}},
	} {
		if teacherID[t.Name] == 0 {
			x, err := a.Training.CreateTeacher(ctx, actor, t)
			if err != nil {
				return fmt.Errorf("teacher %s: %w", t.Name, err)
			}
			teacherID[t.Name] = x.ID
		}
	}
	specs := []struct {
		code, title, teacher string
		mode                 training.Mode
		levels               []string
		hours                float64
		sessions, capacity   int
	}{
		{"2026Q-01", "习近平新时代中国特色社会主义思想专题", "王建华", training.Centralized, []string{"county_principal", "county_deputy"}, 24, 8, 60},
		{"2026Q-02", "党的建设与全面从严治党", "李秀兰", training.Centralized, []string{"township_principal", "township_deputy"}, 18, 6, 80},
		{"2026Q-03", "科学决策与应急管理（夜校）", "陈志强", training.Centralized, []string{"township_principal", "township_deputy"}, 18, 6, 60},
		{"2026Q-04", "推动高质量发展", "刘芳", training.Centralized, []string{"county_principal", "county_deputy", "township_principal"}, 21, 7, 80},
		{"2026Q-05", "法治政府建设与依法行政", "赵明", training.Centralized, []string{"township_deputy"}, 12, 4, 30},
		{"2026Q-06", "群众工作与协调能力", "孙丽", training.Centralized, []string{"township_principal", "township_deputy"}, 12, 4, 60},
		{"2026Q-07", "党内法规学习（自学）", "李秀兰", training.SelfStudy, []string{"township_deputy"}, 6, 2, 300},
	}
	courses, err := a.Training.Courses(ctx, actor)
	if err != nil {
		return err
	}
	courseID := map[string]int64{}
	for _, c := range courses {
		courseID[c.Code] = c.ID
	}
	for _, sp := range specs {
		if courseID[sp.code] != 0 {
			continue
		}
		tid := teacherID[sp.teacher]
		c, err := a.Training.CreateCourse(ctx, actor, training.Course{Code: sp.code, Title: sp.title, Mode: sp.mode, TargetLevels: sp.levels,
			TargetCategories: []string{"party_government_leader", "administrative"}, PlannedHours: sp.hours, Sessions: sp.sessions,
			Capacity: sp.capacity, TeacherID: &tid, Outline: training.Outline{Topics: []string{sp.title + "导学"},
				Readings: []string{"《干部教育培训工作条例》"}, Questions: []string{"结合本职工作谈体会"}}})
		if err != nil {
			return fmt.Errorf("course %s: %w", sp.code, err)
		}
		courseID[sp.code] = c.ID
	}
	if u, err := a.Store.UserByUsername(ctx, "cadre001"); err == nil && u != nil && u.CadreID != nil {
		for _, code := range []string{"2026Q-02", "2026Q-03", "2026Q-06"} {
			if _, _, err := a.Training.Enroll(ctx, actor, courseID[code], *u.CadreID); err != nil {
				return fmt.Errorf("enroll cadre001 in %s: %w", code, err)
			}
		}
	}
	for _, sp := range specs {
		if _, err := a.Training.Schedule(ctx, actor, courseID[sp.code], demoTerm[0], demoTerm[1]); err != nil {
			return fmt.Errorf("schedule %s: %w", sp.code, err)
		}
	}
	return nil
}
