//! Performance measurement (issue "Performance"); see benches/.
