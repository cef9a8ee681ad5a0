package training

import (
	"context"

	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// SessionEditor is what moving and cancelling sessions need beyond Store.
type SessionEditor interface {
	UpdateSession(ctx context.Context, x Session) error
	AttendanceOfSession(ctx context.Context, sessionID int64) (int, error)
}

// MoveSession gives a session a new time, venue or teacher (the course's school's scheduler),
// with the same slot and conflict checks as a new session; the session itself is not counted as
// a conflict. A session whose attendance was taken cannot move. Errors: forbidden, not_found,
// slot_not_allowed (422), schedule_conflict (409), session_has_attendance (409).
func (s *Service) MoveSession(ctx context.Context, actor identity.Principal, sessionID int64, in NewSession) (Session, error) {
	ed, ok := s.store.(SessionEditor)
	if !ok {
		return Session{}, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	cur, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return Session{}, apperr.Wrap(err, "find session")
	}
	if cur == nil {
		return Session{}, apperr.NotFoundf("课次不存在")
	}
	c, sc, err := s.ownCourse(ctx, actor, cur.CourseID)
	if err != nil {
		return Session{}, err
	}
	in.CourseID = c.ID
	if in.VenueID == 0 && cur.VenueID != nil {
		in.VenueID = *cur.VenueID
	}
	if in.TeacherID == 0 && cur.TeacherID != nil {
		in.TeacherID = *cur.TeacherID
	}
	if !in.End.After(in.Start) {
		return Session{}, apperr.InvalidFields("validation_failed", "结束时间须晚于开始时间", apperr.FieldError{Field: "endsAt", Message: "须晚于开始时间"})
	}
	if err := s.checkSlot(ctx, sc, in); err != nil {
		return Session{}, err
	}
	var out Session
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if n, err := ed.AttendanceOfSession(ctx, sessionID); err != nil {
			return apperr.Wrap(err, "attendance")
		} else if n > 0 {
			return apperr.New(apperr.Conflict, "session_has_attendance", "该课次已登记考勤，不能调整")
		}
		venue, err := s.checkPlacement(ctx, c, sc, in, sessionID)
		if err != nil {
			return err
		}
		before := sessionView(*cur)
		x := *cur
		x.Start, x.End, x.VenueID = in.Start.UTC(), in.End.UTC(), &venue.ID
		x.TeacherID = nil
		if in.TeacherID != 0 {
			t := in.TeacherID
			x.TeacherID = &t
		}
		if err := ed.UpdateSession(ctx, x); err != nil {
			return apperr.Wrap(err, "update session")
		}
		out = x
		if fresh, err := s.store.SessionByID(ctx, x.ID); err == nil && fresh != nil {
			out = *fresh // with the new venue's and teacher's names
		}
		return s.record(ctx, actor, "training.session.move", "session", x.ID, before, sessionView(x))
	})
	return out, err
}

// CancelSession removes a session that has not taken place and has no attendance (the course's
// school's scheduler); audited. Errors: forbidden, not_found, session_has_attendance (409).
func (s *Service) CancelSession(ctx context.Context, actor identity.Principal, sessionID int64) error {
	ed, ok := s.store.(SessionEditor)
	if !ok {
		return apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	cur, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return apperr.Wrap(err, "find session")
	}
	if cur == nil {
		return apperr.NotFoundf("课次不存在")
	}
	if _, _, err := s.ownCourse(ctx, actor, cur.CourseID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if n, err := ed.AttendanceOfSession(ctx, sessionID); err != nil {
			return apperr.Wrap(err, "attendance")
		} else if n > 0 || cur.End.Before(s.now()) {
			return apperr.New(apperr.Conflict, "session_has_attendance", "该课次已进行或已登记考勤，不能取消")
		}
		if err := s.store.DeleteSessions(ctx, []int64{sessionID}); err != nil {
			return apperr.Wrap(err, "delete session")
		}
		return s.record(ctx, actor, "training.session.cancel", "session", sessionID, sessionView(*cur), nil)
	})
}

// CourseEnrollments lists a course's enrollments (enrolled first, then the waiting list) for
// its school's scheduler, with the cadres' names for attendance sheets.
func (s *Service) CourseEnrollments(ctx context.Context, actor identity.Principal, courseID int64) ([]EnrolledCadre, error) {
	c, _, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	es, err := s.store.Enrollments(ctx, c.ID)
	if err != nil {
		return nil, apperr.Wrap(err, "enrollments")
	}
	out := make([]EnrolledCadre, 0, len(es))
	for _, e := range es {
		x := EnrolledCadre{Enrollment: e}
		if cd, err := s.store.CadreByID(ctx, e.CadreID); err == nil && cd != nil {
			x.Name, x.OrgName = cd.Name, cd.OrgName
		}
		out = append(out, x)
	}
	return out, nil
}

// EnrolledCadre is an enrollment with the cadre's name and unit.
type EnrolledCadre struct {
	Enrollment
	Name    string
	OrgName string
}
