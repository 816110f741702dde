# A small module the editor tests open: a closure, an identity check that depends on CPython's
# caches, and a mutable default.


def make_counter(start):
    total = start

    def step(n):
        nonlocal total
        total += n
        return total

    return step


a = 1000
b = int("1000")
same = a is b


def append_to(item, bucket=[]):
    bucket.append(item)
    return bucket
