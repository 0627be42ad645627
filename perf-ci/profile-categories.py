"""Sorts perf samples of the RingGuard daemons by thread and by what the stack was doing (see perf-ci/README.md, Profiling a run)."""
import sys,re,collections
rules=[('crypto',re.compile(r'ChaCha|Poly1305|Vector|vector\.')),
('tun write (kernel)',re.compile(r'LinuxTun\.write|Posix\.write')),
('tun read (kernel)',re.compile(r'LinuxTun\.read|Posix\.read\b|TunDevice\.readBatch')),
('udp sendmmsg (kernel)',re.compile(r'sendmmsg|LinuxUdpSocket\.send')),
('udp recvmmsg (kernel)',re.compile(r'recvmmsg|LinuxUdpSocket\.receive')),
('poll/wait/park',re.compile(r'Posix\.poll|awaitReadable|park|futex|WaitStrategy|pthread_cond|schedule')),
('JIT compile',re.compile(r'Compile|C2Compiler|Phase')),
('GC/VM',re.compile(r'G1|GC|Safepoint|JFR|Jfr')),
('jna glue',re.compile(r'jna|Java_com_sun|dispatch|ffi_')),
('pipeline java',re.compile(r'io\.ringguard|disruptor')),
]
samples=collections.Counter(); bycomm=collections.defaultdict(collections.Counter)
cur=None; frames=[]
def flush():
    if cur is None: return
    text='\n'.join(frames); c='other'
    for name,r in rules:
        if r.search(text): c=name;break
    if c=='other' and frames and re.search(r'\[k\]|\bk\b',frames[0]): c='other kernel'
    bycomm[cur][c]+=1
for line in open(sys.argv[1]):  # perf script -F tid,comm,ip,sym output
    if line and not line[0].isspace():
        flush(); parts=line.split(); cur=' '.join(parts); frames=[]
    elif line.strip(): frames.append(line.strip())
flush()
tot=sum(sum(v.values()) for v in bycomm.values())
for comm,cnt in sorted(bycomm.items(), key=lambda kv:-sum(kv[1].values())):
    s=sum(cnt.values())
    print(f"{comm:40s} {s:6d} ({100*s/tot:.1f}% of rg samples)")
    for k,v in cnt.most_common(8): print(f"     {k:28s} {100*v/s:5.1f}%")
