# An enum with a repeated member.
# expect: MM2002 at 4:24

enum Pool { cls, mean, cls }
