//! Property tests of the ledger and payouts (library level, many cases):
//! lines sum to each agent's net points; the order of the inputs changes
//! nothing; doubling the rate doubles every bonus exactly; closing then
//! recomputing changes nothing, and after a change the frozen lines plus the
//! adjustments give each agent exactly the recomputed net; a zero-complaint
//! month is never credited before it has ended.

use chrono::NaiveDate;
use kefu::dates;
use kefu::domain::{FeedbackKind, Responsibility, Validity};
use kefu::points::{adjustments, ledger, payouts, Agent, Charge, Event, Inputs};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn book() -> kefu::points::rulebook::Rulebook {
    let c: kefu::config::Config = toml::from_str(kefu::config::TEMPLATE).unwrap();
    c.points.unwrap()
}

const RULES: &[&str] = &[
    "praise-letter",
    "no-badge",
    "equipment-left-on",
    "absent-meeting",
    "spot-check-missed",
    "disobeying",
];

fn agents() -> Vec<Agent> {
    let mut v = vec![Agent {
        id: "L".into(),
        name: "组长".into(),
        ..Agent::default()
    }];
    for i in 0..4 {
        v.push(Agent {
            id: format!("A{i}"),
            name: format!("客服{i}"),
            leader_id: Some("L".into()),
            joined_on: NaiveDate::from_ymd_opt(2026, 1 + i as u32 * 2, 1),
            ..Agent::default()
        });
    }
    v
}

prop_compose! {
    fn event()(agent in 0..4usize, day in 0..365i64, rule in 0..RULES.len(), count in 1..4i64, verified in prop::option::of(any::<bool>()), id in 0..100_000u32) -> Event {
        Event {
            row_id: i64::from(id),
            source: "s".into(),
            ext_id: format!("E{id}"),
            agent_id: format!("A{agent}"),
            day: dates::day_number(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()) + day,
            rule_id: RULES[rule].into(),
            count,
            verified,
            note: None,
            reference: None,
        }
    }
}

prop_compose! {
    fn charge()(agent in 0..4usize, day in 0..365i64, v in 0..3usize, r in 0..2usize, id in 0..100_000u32) -> Charge {
        Charge {
            source: "c".into(),
            ext_id: format!("C{id}"),
            agent_id: format!("A{agent}"),
            day: dates::day_number(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()) + day,
            kind: FeedbackKind::Complaint,
            validity: Some([Validity::Confirmed, Validity::Rejected, Validity::Pending][v]),
            responsibility: Some([Responsibility::Individual, Responsibility::Process][r]),
        }
    }
}

/// A day after every generated input: every month of 2026 has ended.
fn after_2026() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
}

fn unique<T, K: Eq + std::hash::Hash>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    v.into_iter().filter(|x| seen.insert(key(x))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lines_sum_to_net_and_order_does_not_matter(
        events in prop::collection::vec(event(), 0..60),
        charges in prop::collection::vec(charge(), 0..40),
        quarter in 1..5u32,
        seed in any::<u64>(),
    ) {
        let book = book();
        let events = unique(events, |e| e.ext_id.clone());
        let charges = unique(charges, |c| c.ext_id.clone());
        let period = dates::Period::quarter(2026, quarter).unwrap();
        let inputs = Inputs { agents: agents(), events: events.clone(), charges: charges.clone(), unlinked: vec![], activity: vec![] };
        let l = ledger(&book, &inputs, &period, after_2026());
        let rate = Decimal::new(10, 0);
        let pays = payouts(book.negative_bonus, &inputs.agents, &l, &period, rate);
        for p in &pays {
            let sum: i64 = l.lines.iter().filter(|x| x.agent_id == p.agent_id).map(|x| x.points).sum();
            prop_assert_eq!(sum, p.net_points);
            prop_assert_eq!(p.points_earned - p.points_deducted, p.net_points);
        }
        // Shuffle the inputs: same ledger, same payouts.
        let mut shuffled_events = events;
        let mut shuffled_charges = charges;
        let n = shuffled_events.len();
        for i in 0..n { shuffled_events.swap(i, (seed as usize).wrapping_mul(i + 7) % n.max(1)); }
        shuffled_charges.reverse();
        let again = Inputs { agents: agents(), events: shuffled_events, charges: shuffled_charges, unlinked: vec![], activity: vec![] };
        let l2 = ledger(&book, &again, &period, after_2026());
        prop_assert_eq!(&l.lines, &l2.lines);
        prop_assert_eq!(&l.flags, &l2.flags);
        prop_assert_eq!(payouts(book.negative_bonus, &again.agents, &l2, &period, rate), pays.clone());
        // Doubling the rate doubles every bonus exactly.
        let doubled = payouts(book.negative_bonus, &inputs.agents, &l, &period, rate * Decimal::new(2, 0));
        for (a, b) in pays.iter().zip(&doubled) {
            prop_assert_eq!(a.bonus * Decimal::new(2, 0), b.bonus);
        }
        // Closing then recomputing changes nothing: no adjustment lines.
        let next_day = dates::day_number(period.last) + 1;
        prop_assert!(adjustments(&period.name, &l, &l.lines, &[], next_day).is_empty());
        // A later change (every third charge withdrawn, an appeal upheld):
        // frozen lines + adjustments = the recomputed ledger, per agent.
        let changed = Inputs {
            charges: inputs.charges.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, c)| c.clone()).collect(),
            ..inputs.clone()
        };
        let now = ledger(&book, &changed, &period, after_2026());
        let adj = adjustments(&period.name, &now, &l.lines, &[], next_day);
        for a in agents() {
            let of = |lines: &[kefu::points::Line]| -> i64 {
                lines.iter().filter(|x| x.agent_id == a.id).map(|x| x.points).sum()
            };
            prop_assert_eq!(of(&l.lines) + of(&adj), of(&now.lines), "agent {}", a.id);
        }
    }

    #[test]
    fn no_zero_complaint_month_is_credited_before_it_ends(
        charges in prop::collection::vec(charge(), 0..20),
        quarter in 1..5u32,
        today in 0..400i64,
    ) {
        let book = book();
        let charges = unique(charges, |c| c.ext_id.clone());
        let period = dates::Period::quarter(2026, quarter).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(today);
        let inputs = Inputs { agents: agents(), events: vec![], charges, unlinked: vec![], activity: vec![] };
        let l = ledger(&book, &inputs, &period, today);
        for x in l.lines.iter().filter(|x| x.key.starts_with("zero:")) {
            // A zero-complaint line is dated on its month's last day.
            prop_assert!(dates::date_of_day(x.day) < today, "{x:?} credited on {today}");
        }
        // Credits only grow as months end; once the quarter has ended, the ledger is final.
        let later = ledger(&book, &inputs, &period, period.last + chrono::Duration::days(1));
        let zero = |l: &kefu::points::Ledger| l.lines.iter().filter(|x| x.key.starts_with("zero:")).count();
        prop_assert!(zero(&l) <= zero(&later));
        if period.has_ended(today) {
            prop_assert_eq!(&l.lines, &later.lines);
        }
    }
}
