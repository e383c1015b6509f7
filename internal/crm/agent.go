package crm

import "context"

// Agents. An agent account (UIS "Агент", a partner) serves other accounts,
// its clients. A user of an agent account calls the APIs with its own
// credential and names, in every call, the client's user it acts for; the
// call then runs as that user in that user's account. An account is an agent
// as soon as it has a client (LinkAgent); the relation is not transitive.

// LinkAgent lets the agent account act for the client account.
// Errors: invalid (an account cannot be its own agent), not found (either
// account), conflict (linked already).
func (s *Service) LinkAgent(ctx context.Context, agentAccountID, clientAccountID int64) error {
	if agentAccountID == clientAccountID {
		return Invalid(Violation{Path: "client", Code: ViolationInvalid, Detail: "An account cannot be its own agent."})
	}
	return s.store.LinkAgent(ctx, agentAccountID, clientAccountID)
}

// AgentClients lists the client accounts of an agent account; none means
// the account is not an agent.
func (s *Service) AgentClients(ctx context.Context, agentAccountID int64) ([]int64, error) {
	return s.store.AgentClients(ctx, agentAccountID)
}

// ActAs returns the actor a call runs as. userID is the user the caller names
// (0: none named). A caller from an agent account must name a user of one of
// its client accounts and then acts as that user, with that user's role, in
// that account. A caller from any other account must not name a user.
// Errors: invalid (an agent named nobody: a ViolationRequired on "user_id"),
// forbidden (the user is not one of the agent's clients', or the caller is
// not an agent).
func (s *Service) ActAs(ctx context.Context, caller Actor, userID int64) (Actor, error) {
	clients, err := s.store.AgentClients(ctx, caller.AccountID)
	if err != nil {
		return Actor{}, err
	}
	switch {
	case len(clients) == 0 && userID == 0:
		return caller, nil
	case len(clients) == 0:
		return Actor{}, Errorf(KindForbidden, "Only an agent may act for another user")
	case userID == 0:
		return Actor{}, Invalid(Violation{Path: "user_id", Code: ViolationRequired, Detail: "An agent must name the client's user it acts for."})
	}
	u, err := s.store.AgentClientUser(ctx, caller.AccountID, userID)
	if KindOf(err) == KindNotFound {
		return Actor{}, Errorf(KindForbidden, "User %d is not a user of this agent's clients", userID)
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{AccountID: u.AccountID, UserID: u.ID, Role: u.Role}, nil
}

// AgentStore keeps which accounts an agent account acts for.
type AgentStore interface {
	// LinkAgent lets the agent account act for the client account.
	// KindNotFound when either account does not exist, KindConflict when
	// they are linked already.
	LinkAgent(ctx context.Context, agentAccountID, clientAccountID int64) error
	// AgentClients lists the client accounts of an agent account (none:
	// the account is not an agent).
	AgentClients(ctx context.Context, agentAccountID int64) ([]int64, error)
	// AgentClientUser returns the user with this id when it belongs to one
	// of the agent's client accounts. KindNotFound otherwise.
	AgentClientUser(ctx context.Context, agentAccountID, userID int64) (User, error)
}
