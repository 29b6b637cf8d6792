(?x)
# A quantity: a number tied to a technical, reliability or time unit. Matched case-insensitively
# with ASCII classes on the normalised text. The build script compiles it into a DFA stored in
# the program (`metrics::quantities`); the tests compile it at run time as well.
  \b(?:p|tp)(?:50|75|90|95|99|99\.9|999)\b
| \b(?:two|three|four|five|2|3|4|5)\ nines\b
| \b\d+(?:[.,]\d+)*
  (?:
      \s?(?:%|percent\b|percentage\ points?\b|x\b|×)
    | \s?(?:ms|msec|milliseconds?|µs|us|microseconds?|ns|s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?)\b
    | \s?(?:k|m|b|thousand|million|billion)?\s?(?:rps|qps|req/s|requests?|queries|connections|packets|pps|records|zones|domains|sites|servers|nodes|pops|data\ centers|datacenters|regions|countries|cities|tickets|incidents|pages|alerts|errors|vulnerabilities|cves)\b
    | \s?(?:[kmgtp]bps|[kmgtp]b/s|[kmgtp]bit/s|gigabits?|terabits?|megabits?|[kmgtp]i?b|bytes|gigabytes?|terabytes?|petabytes?)\b
    | (?:k|m)\b
    | \s?(?:times)\b
  )
| \b\d+x\b
