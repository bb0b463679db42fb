#!/usr/bin/env python3
"""Permutation test of kefu roster (agents) imports.

For random histories of one or two agents (1-3 employments each, gaps,
same-day re-hires, back-to-back re-hires, moves (调岗) inside an employment,
last employment open or closed), import the roster rows in many orders and
compare what a user can observe:
  * the department of a 差评 review on probe days (report daily items),
  * the leader charged for a joint-liability event (电脑或灯未关) on probe days,
  * zero-complaint months (points --year Y, rule zero-complaints),
  * warnings printed by the roster imports (collected; suspicious ones flagged).

Usage: python3 examples/roster_orders.py [N_CASES] [SEED] [--verbose]
Environment: K (the kefu binary, default target/release/kefu), JOBS (parallel
cases, default 4), ORDERS (orders tried per case, default 12), NOMOVES=1
(employment rows only), OUT (where perm-results-SEED.jsonl goes, default .).
Written by an exploratory tester (round 49, 2026-12-06); the figures in
README.md (Known limits: 调岗单 before the employments they belong to) come
from `JOBS=2 ORDERS=8 python3 examples/roster_orders.py 30 103`.
"""
import csv, datetime as dt, io, itertools, json, os, random, re, shutil, subprocess, sys, tempfile

ROOT = os.environ.get('OUT', '.')
K = os.environ.get('K', 'target/release/kefu')
ENV = dict(os.environ, KEFU_TODAY='2026-12-05')
TODAY = dt.date(2026, 12, 5)
DEPTS = ['售前组', '售后组', '投诉组']
LEADERS = ['L1', 'L2', 'L3']
NAMES = {'A1': '王芳', 'A2': '李娜'}
EMP_H = '工号,客服姓名,部门,组长工号,入职日期,离职日期'
MOV_H = '工号,客服姓名,部门,组长工号,调岗日期'


def run(args, check=False):
    p = subprocess.run([K] + args, env=ENV, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f'{args}: rc={p.returncode} {p.stderr}')
    return p


def d(s):
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------- generation
def gen_agent(rng, aid):
    k = rng.randint(1, 3)
    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
    emps = []
    for i in range(k):
        last = i == k - 1
        length = rng.randint(20, 300)
        end = start + dt.timedelta(days=length)
        if end >= TODAY:
            end = TODAY - dt.timedelta(days=rng.randint(1, 10))
            if end <= start + dt.timedelta(days=5):
                break
        open_ = last and rng.random() < 0.5
        dept = rng.choice(DEPTS)
        leader = rng.choice(LEADERS)
        segs = [(start, dept, leader)]
        hi = (end if not open_ else min(TODAY - dt.timedelta(days=1), start + dt.timedelta(days=400)))
        nm = 0 if os.environ.get('NOMOVES') else rng.choice([0, 0, 1, 1, 2])
        span = (hi - start).days
        if span > 4 and nm:
            days = sorted(rng.sample(range(1, span), min(nm, span - 1)))
            for dd in days:
                nd, nl = dept, leader
                while (nd, nl) == (segs[-1][1], segs[-1][2]):
                    nd, nl = rng.choice(DEPTS), rng.choice(LEADERS)
                segs.append((start + dt.timedelta(days=dd), nd, nl))
        emps.append({'start': start, 'end': None if open_ else end, 'segs': segs})
        if open_ or last:
            break
        gap = rng.choice(['same', 'b2b', 'short', 'long'])
        if gap == 'same':
            start = end
        elif gap == 'b2b':
            start = end + dt.timedelta(days=1)
        elif gap == 'short':
            start = end + dt.timedelta(days=rng.randint(2, 20))
        else:
            start = end + dt.timedelta(days=rng.randint(21, 200))
        if start >= TODAY - dt.timedelta(days=10):
            break
    return {'id': aid, 'emps': emps}


def gen_case(rng):
    agents = [gen_agent(rng, 'A1')]
    if rng.random() < 0.4:
        agents.append(gen_agent(rng, 'A2'))
    return agents


def rows_of(case):
    """Each row: dict(kind, agent, date(sort key), csv line)."""
    rows = []
    for a in case:
        aid = a['id']
        for e in a['emps']:
            s, dept, leader = e['segs'][0]
            end = e['end'].isoformat() if e['end'] else ''
            rows.append({'kind': 'emp', 'agent': aid, 'date': s,
                         'line': f'{aid},{NAMES[aid]},{dept},{leader},{s},{end}'})
            for (m, md, ml) in e['segs'][1:]:
                rows.append({'kind': 'mov', 'agent': aid, 'date': m,
                             'line': f'{aid},{NAMES[aid]},{md},{ml},{m}'})
    return rows


def probe_days(case, rng):
    days = set()
    for a in case:
        emps = a['emps']
        for e in emps:
            s = e['start']
            days.update([s, s + dt.timedelta(days=1)])
            if s > dt.date(2020, 1, 2):
                days.add(s - dt.timedelta(days=1))
            for (m, _, _) in e['segs'][1:]:
                days.update([m - dt.timedelta(days=1), m, m + dt.timedelta(days=1)])
            if e['end']:
                days.update([e['end'] - dt.timedelta(days=1), e['end'], e['end'] + dt.timedelta(days=1)])
            hi = e['end'] or TODAY
            for _ in range(1):
                days.add(s + dt.timedelta(days=rng.randint(0, max(0, (hi - s).days))))
    return sorted(x for x in days if x < TODAY)


def in_span(agent, day):
    emps = agent['emps']
    return emps[0]['start'] <= day <= (emps[-1]['end'] or TODAY)


# ---------------------------------------------------------------- expected model
def expected_dept(agent, day):
    """Department/leader held on `day` per the generated history; None = ambiguous/undefined."""
    emps = agent['emps']
    for i, e in enumerate(emps):
        end = e['end'] or TODAY
        if e['start'] <= day <= end:
            # same-day re-hire boundary: both employments hold this day -> ambiguous
            if e['end'] and day == e['end'] and i + 1 < len(emps) and emps[i + 1]['start'] == day:
                return None
            cur = None
            for (m, md, ml) in e['segs']:
                if m <= day:
                    cur = (md, ml)
            return cur
    # gap: "The days between two employments keep the last department and leader held."
    prev = [e for e in emps if e['end'] and e['end'] < day]
    nxt = [e for e in emps if e['start'] > day]
    if prev and nxt:
        s = prev[-1]['segs'][-1]
        return (s[1], s[2])
    return None


def expected_zero_months(agent, year):
    """Months of `year` (ended before today) the agent was on the roster throughout."""
    # union of employments; back to back (end+1 == start) or same day are joined
    spans = []
    for e in agent['emps']:
        s, t = e['start'], e['end'] or dt.date(2200, 1, 1)
        if spans and s <= spans[-1][1] + dt.timedelta(days=1):
            spans[-1] = (spans[-1][0], max(spans[-1][1], t))
        else:
            spans.append((s, t))
    out = set()
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        last = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        if last >= TODAY:
            continue
        if any(s <= first and t >= last for s, t in spans):
            out.add(last.isoformat())
    return out


# ---------------------------------------------------------------- running one order
def write(path, header, lines):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(header + '\n' + ''.join(l + '\n' for l in lines))


def observe(tmpl, tmp, files, days, case, tag):
    ws = os.path.join(tmp, 'ws-' + tag)
    shutil.copytree(tmpl, ws)
    warns = []
    for f in files:
        p = run(['-w', ws, 'import', 'agents', f])
        if p.returncode != 0:
            warns.append(f'IMPORT FAILED rc={p.returncode}: {p.stderr.strip()}')
        for l in p.stderr.splitlines():
            if l.startswith('kefu:'):
                warns.append((os.path.basename(f), l))
    run(['-w', ws, 'import', 'reviews', os.path.join(tmp, 'rv.csv'), '-q'], check=True)
    run(['-w', ws, 'import', 'events', os.path.join(tmp, 'ev.csv'), '-q'])
    dept = {}
    for day in days:
        p = run(['-w', ws, 'report', 'daily', '--date', day.isoformat(), '--format', 'json', '-q'])
        try:
            j = json.loads(p.stdout)
        except Exception:
            dept[day.isoformat()] = 'ERR ' + p.stdout[:80] + p.stderr[:80]
            continue
        for it in j.get('items', []):
            ag = [a for a in case if a['id'] == it['agent_id']]
            if ag and in_span(ag[0], day):
                dept[(it['agent_id'], day.isoformat())] = it['department']
    zero, joint = set(), set()
    years = sorted({x.year for x in days})
    for y in years:
        p = run(['-w', ws, 'points', '--year', str(y), '--format', 'csv', '-q'])
        for r in csv.DictReader(io.StringIO(p.stdout)):
            if r['rule_id'] == 'zero-complaints':
                zero.add((r['agent_id'], r['date']))
            m = re.search(r'joint liability for (A\d)', r['source'])
            ag = [a for a in case if m and a['id'] == m.group(1)]
            if m and ag and in_span(ag[0], d(r['date'])):
                ev = re.search(r'event (\S+)', r['source'])
                joint.add((m.group(1), r['date'], r['agent_id'], ev.group(1) if ev else r['source']))
    shutil.rmtree(ws)
    return {'dept': dept, 'zero': zero, 'joint': joint, 'warns': warns}


def diff(a, b):
    out = []
    for k in ('dept',):
        keys = sorted(set(a[k]) | set(b[k]), key=str)
        for x in keys:
            if a[k].get(x) != b[k].get(x):
                out.append(f'{k} {x}: {a[k].get(x)} vs {b[k].get(x)}')
    for k in ('zero', 'joint'):
        if a[k] != b[k]:
            out.append(f'{k}: only-first {sorted(a[k]-b[k])} only-second {sorted(b[k]-a[k])}')
    return out


SUSPICIOUS = re.compile(r'no longer count|moved later|moved earlier|listed more than once|cleared|correction')


def case_files(tmp, rows, order, prefix):
    files = []
    for i, idx in enumerate(order):
        r = rows[idx]
        path = os.path.join(tmp, f'{prefix}{i:02d}-{r["kind"]}-{r["agent"]}-{r["date"]}.csv')
        write(path, EMP_H if r['kind'] == 'emp' else MOV_H, [r['line']])
        files.append(path)
    return files


def run_case(n, rng, max_orders, verbose):
    case = gen_case(rng)
    rows = rows_of(case)
    days = probe_days(case, rng)
    tmp = tempfile.mkdtemp(prefix='perm49.', dir='/tmp')
    try:
        tmpl = os.path.join(tmp, 'tmpl')
        run(['init', tmpl, '-q'], check=True)
        lf = os.path.join(tmp, 'leaders.csv')
        write(lf, EMP_H, [f'L1,组长一,售前组,,2020-01-01,', f'L2,组长二,售后组,,2020-01-01,',
                          f'L3,组长三,投诉组,,2020-01-01,'])
        run(['-w', tmpl, 'import', 'agents', lf, '-q'], check=True)
        rv, ev = [], []
        for a in case:
            for day in days:
                rv.append(f'R-{a["id"]}-{day},{day} 10:00,{a["id"]},差评,态度差')
                ev.append(f'E-{a["id"]}-{day},{day},{a["id"]},电脑或灯未关,1,')
        write(os.path.join(tmp, 'rv.csv'), '评价ID,评价时间,工号,评价等级,评价内容', rv)
        write(os.path.join(tmp, 'ev.csv'), '编号,日期,工号,奖惩项目,次数,备注', ev)

        desc = {'case': n, 'rows': [(r['kind'], r['line']) for r in rows]}
        base_order = sorted(range(len(rows)), key=lambda i: (rows[i]['date'], rows[i]['kind'] == 'mov', rows[i]['agent']))
        results = []
        base = observe(tmpl, tmp, case_files(tmp, rows, base_order, 'a'), days, case, 'a')
        # (b) other orders of one-row files
        perms = list(itertools.permutations(range(len(rows)))) if len(rows) <= 5 else None
        if perms is not None:
            orders = [list(p) for p in perms if list(p) != base_order]
            rng.shuffle(orders)
            orders = orders[:max_orders]
        else:
            orders = []
            for _ in range(max_orders):
                o = list(range(len(rows))); rng.shuffle(o); orders.append(o)
        findings = []
        nord = 1
        for j, o in enumerate(orders):
            res = observe(tmpl, tmp, case_files(tmp, rows, o, f'b{j}-'), days, case, f'b{j}')
            nord += 1
            dd = diff(base, res)
            if dd:
                findings.append({'mode': 'files', 'order': [rows[i]['kind'] + ' ' + rows[i]['line'] for i in o], 'diff': dd})
            results.append(('files', o, res))
        # (c) all employment rows in one file (random row orders), then move files
        emp_idx = [i for i, r in enumerate(rows) if r['kind'] == 'emp']
        mov_idx = [i for i, r in enumerate(rows) if r['kind'] == 'mov']
        for j in range(3):
            e = emp_idx[:]; rng.shuffle(e)
            m = sorted(mov_idx, key=lambda i: rows[i]['date']) if j == 0 else rng.sample(mov_idx, len(mov_idx))
            one = os.path.join(tmp, f'c{j}-all.csv')
            write(one, EMP_H, [rows[i]['line'] for i in e])
            files = [one] + case_files(tmp, rows, m, f'c{j}m')
            res = observe(tmpl, tmp, files, days, case, f'c{j}')
            nord += 1
            dd = diff(base, res)
            if dd:
                findings.append({'mode': 'onefile', 'order': ['FILE[' + '; '.join(rows[i]['line'] for i in e) + ']'] +
                                 [rows[i]['kind'] + ' ' + rows[i]['line'] for i in m], 'diff': dd})
            results.append(('onefile', e + m, res))
        # model check of the base order
        model = []
        for a in case:
            for day in days:
                exp = expected_dept(a, day)
                got = base['dept'].get((a['id'], day.isoformat()))
                if exp is not None and got != exp[0]:
                    model.append(f'dept {a["id"]} {day}: expected {exp[0]} got {got}')
                if exp is not None:
                    leaders = {x[2] for x in base['joint'] if x[0] == a['id'] and x[1] == day.isoformat()}
                    if leaders != {exp[1]}:
                        model.append(f'leader {a["id"]} {day}: expected {exp[1]} got {sorted(leaders)}')
            for y in sorted({x.year for x in days}):
                expz = expected_zero_months(a, y)
                gotz = {dd for (aid, dd) in base['zero'] if aid == a['id'] and dd.startswith(str(y))}
                if expz != gotz:
                    model.append(f'zero {a["id"]} {y}: missing {sorted(expz-gotz)} extra {sorted(gotz-expz)}')
        # suspicious warnings
        sus = []
        for kind, o, res in [('base', base_order, base)] + results:
            for w in res['warns']:
                txt = w if isinstance(w, str) else w[1]
                if SUSPICIOUS.search(txt):
                    sus.append((kind, [rows[i]['kind'] + ' ' + rows[i]['line'] for i in o], w))
        desc.update({'orders': nord, 'findings': findings, 'model': model, 'suspicious_warnings': sus})
        return desc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    n = int(args[0]) if args else 20
    seed = int(args[1]) if len(args) > 1 else 1
    verbose = '--verbose' in sys.argv
    out = open(f'{ROOT}/perm-results-{seed}.jsonl', 'w')
    tot_orders = bad = badm = susn = 0
    import multiprocessing
    with multiprocessing.Pool(int(os.environ.get('JOBS', '4'))) as pool:
        res = pool.imap(one, [(seed, i) for i in range(n)])
        for i, r in enumerate(res):
            pass_case(i, r, out)
            tot_orders += r['orders']
            bad += bool(r['findings']); badm += bool(r['model']); susn += bool(r['suspicious_warnings'])
    print(f'TOTAL cases={n} orders={tot_orders} cases-with-order-diffs={bad} model-diffs={badm} suspicious-warnings={susn}')


def one(a):
    seed, i = a
    return run_case(i, random.Random(seed * 1000003 + i), int(os.environ.get('ORDERS', '12')), False)


def pass_case(i, r, out):
    if True:
        out.write(json.dumps(r, ensure_ascii=False, default=str) + '\n'); out.flush()
        flag = []
        if r['findings']: flag.append(f'{len(r["findings"])} order diffs')
        if r['model']: flag.append(f'{len(r["model"])} model diffs')
        if r['suspicious_warnings']: flag.append(f'{len(r["suspicious_warnings"])} suspicious warnings')
        print(f'case {i}: rows={len(r["rows"])} orders={r["orders"]} ' + ('; '.join(flag) or 'ok'), flush=True)


if __name__ == '__main__':
    main()
