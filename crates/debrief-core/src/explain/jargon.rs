//! Jargon in general: what a non-technical listener would not know, whatever the topic.
//! Acronyms are found by their shape; engineering vocabulary by the list below. Like the context
//! cues, this is English and the trade's vocabulary, not a company's judgment, so it lives in
//! the code; a topic adds its own terms and the words its listener already knows.

/// Engineering vocabulary a non-technical listener would not know, as phrase templates.
pub const TERMS: &[&str] = &[
    // Networks and routing
    "latency",
    "{packet|packets}",
    "{protocol|protocols}",
    "{round trip|round-trip} {time|times}",
    "throughput",
    "{routing table|routing tables}",
    "{autonomous system|autonomous systems}",
    "peering",
    "{transit provider|transit providers|upstream provider|upstream providers}",
    "{prefix|prefixes|subnet|subnets}",
    "{anycast|unicast|multicast}",
    "{hop|hops}",
    "{edge node|edge nodes|edge server|edge servers}",
    "{point of presence|points of presence}",
    "{origin server|origin servers}",
    "{reverse proxy|reverse proxies|proxy server|proxy servers}",
    "{load balancer|load balancers|load balancing}",
    "{cache hit|cache hits|cache miss|cache misses|hit ratio|hit rate|cache key|cache keys}",
    "{time to live|time-to-live}",
    "{resolver|resolvers|recursive resolver|recursive resolvers}",
    "{authoritative server|authoritative servers|authoritative name server|authoritative nameserver|authoritative nameservers|name server|name servers|nameserver|nameservers}",
    "{root server|root servers|top-level domain|top-level domains}",
    "{cname|cname record|mx record|dns record|dns records}",
    "{zone file|zone files}",
    "{handshake|handshakes}",
    "{cipher|ciphers|cipher suite|cipher suites}",
    "{symmetric key|symmetric keys|asymmetric|public key|public keys|private key|private keys|public-key cryptography}",
    "{certificate authority|certificate authorities}",
    "{session key|session keys|key exchange|key agreement}",
    "{diffie-hellman|elliptic curve|elliptic-curve}",
    "{syn flood|syn floods|amplification attack|amplification attacks|reflection attack|reflection attacks}",
    "{botnet|botnets}",
    "volumetric",
    "{layer 3|layer 4|layer 7|layer-7|layer-3|layer-4}",
    "{scrubbing|scrubbing centre|scrubbing center|scrubbing centres|scrubbing centers}",
    "{null route|null-route|null routing|blackhole|black-hole|blackholing}",
    "{token bucket|leaky bucket|sliding window}",
    "{status code|status codes|error code 429|http 429}",
    "{endpoint|endpoints|api endpoint|api endpoints}",
    "{payload|payloads}",
    "{header|headers|request header|request headers}",
    "{user agent|user-agent}",
    "{session token|session tokens|bearer token|bearer tokens|access token|access tokens}",
    "{identity provider|identity providers}",
    "{device posture|posture check|posture checks}",
    "{least privilege|least-privilege}",
    "{microsegmentation|micro-segmentation}",
    "{lateral movement}",
    "{zero-day|zero day|zero-days}",
    "{sql injection|cross-site scripting|cross site scripting|request forgery}",
    "{ruleset|rulesets|managed rules|rule set|rule sets}",
    "{false positive|false positives|false negative|false negatives}",
    "{regex|regexes|regular expression|regular expressions}",
    "{log mode|simulate mode|block mode}",
    "{virtual patch|virtual patching}",
    "{percentile|percentiles}",
    "{blast radius}",
    "{runbook|runbooks}",
    "{failover|fail over|failing over}",
    "{serverless}",
    "{isolate|isolates}",
    "{cold start|cold starts}",
    "{container|containers}",
    "{virtual machine|virtual machines}",
    "{runtime|runtimes}",
    "{edge function|edge functions}",
    "{webassembly}",
    "{key-value store|key value store}",
    "{replica|replicas|replication}",
    "{eventual consistency|eventually consistent|strongly consistent|strong consistency}",
    "{sharding|shard|shards}",
    "{route origin|route origins|as path|as paths|route filter|route filters|route filtering|prefix filter|prefix filters}",
    "{microservice|microservices|middleware}",
    "{idempotent}",
    "{time to first byte}",
    "{checksum|checksums}",
    "{gbps|tbps|mbps|terabits|gigabits|megabits|terabit|gigabit|megabit}",
    "{three nines|four nines|five nines|the nines}",
    "{sev1|sev 1|sev-1|sev0|sev 0|sev-0|sev2|sev-2|p0|p1|severity one|severity 1}",
    "{credential stuffing|brute force|brute-force|brute forcing}",
    "{rpki|route origin authorization|route origin authorisation|roa|roas}",
    "{origin|origins}",
    "{packet loss|jitter}",
    "{internet exchange|internet exchanges|exchange point|exchange points}",
    "{spoofed|spoofing}",
    "{tls fingerprint|tls fingerprints|browser fingerprint|browser fingerprinting|device fingerprinting|fingerprinting}",
    "{challenge page|challenge pages}",
    "{propagation|propagate|propagates}",
    "{recursive|recursion}",
    "{origin pull|origin fetch}",
    "{cache-control}",
    "{mtls|mutual tls}",
    "{error budget burn|burn rate}",
];

/// Acronyms that nearly everyone knows.
pub const EVERYDAY_ACRONYMS: &[&str] = &[
    "CEO", "CFO", "CTO", "CIO", "COO", "CMO", "CISO", "VP", "SVP", "EVP", "HR", "IT", "PR", "US",
    "USA", "UK", "EU", "UN", "TV", "PC", "OK", "AM", "PM", "ID", "IDS", "PIN", "ATM", "GPS", "FAQ",
    "VIP", "KPI", "KPIS", "ROI", "AI", "SMS", "USB", "PDF", "URL", "URLS", "WIFI", "DIY", "ASAP",
    "FYI", "NB", "Q1", "Q2", "Q3", "Q4", "NYC", "LA", "B2B", "B2C", "CRM", "UX", "UI", "MVP",
    "OKR", "OKRS", "ETA", "EOD", "NDA", "GDPR", "BBC", "CNN", "NHS", "IRS", "DIY", "IOS", "WWW",
    "I", "A", "API", "APIS", "IP", "HQ", "AWS", "SaaS", "SAAS",
];

/// Words that open a plain-words explanation right after a term: "TTL, which is...", "TTL
/// (the time...)", "a resolver: the...".
pub const EXPLAINED_AFTER: &[&str] = &[
    "(",
    ":",
    "—",
    "–",
    "-",
    ", which",
    ", who",
    ", {that is|i.e.|ie|in other words|meaning|or|basically|essentially|in plain english|in plain words|think of it as|a|an|the|short for|which stands for}",
    "{is|are} {a|an|the|just|simply|basically|how|when|what|where|like|our|your|our way|a way|kind of|a kind of|a sort of|a piece of|one of}",
    "{means|mean|stands for|refers to|is short for|is shorthand for|describes}",
    "{which|that} {is|are|means|mean|simply means|just means|stands for}",
];

/// Words that introduce a term after explaining it: "a list of road signs, called BGP".
pub const EXPLAINED_BEFORE: &[&str] = &[
    "{called|call|calls|known as|so-called|named|nicknamed|the term|the word|the name|the jargon|jargon for|labelled|labeled|dubbed|term for|word for|name for}",
    "{mean by|means by|refer to as|refers to as|talk about as}",
    // An appositive after its plain-words version: "a number, the IP address", "a web
    // application firewall, or WAF".
    ", {the|a|an|its|our|your|their|or|or a|or an|or the|aka|also called}",
];

/// How a sentence that explains the one before it opens: "... asks a resolver. That's a
/// service that...".
pub const EXPLAINING_NEXT: &[&str] = &[
    "{that's|that is|this is|it's|it is|these are|those are|they're|they are|think of it as|think of them as|basically|in plain words|in plain english|in other words|which means|meaning|put simply|simply put|all that means|that just means|that means|this means}",
];
