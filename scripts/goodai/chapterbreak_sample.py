"""Writes test/fixtures/goodai/chapterbreak-format-sample.json: a file in the ChapterBreak data's
shape (pg19/ao3 -> book id -> [{ctx, pos, negs}]) with passages written for this project (the real
ChapterBreak passages are the user's to supply), holding the sample ids GoodAI's selection names,
with chapter heads its chapter_cleanup patterns read ($ and a non-ASCII word included), so GoodAI's
own ChapterBreakDataset and Referee's port can be run on the same file (chapterbreak_goldens.py).
    python3 scripts/goodai/chapterbreak_sample.py test/fixtures/goodai/chapterbreak-format-sample.json"""
import json, random, sys

r = random.Random(7)
SUBJ = ['The ferryman', 'Old Marta', 'The clerk', 'A grey heron', 'The lighthouse keeper', 'Young Tomas', 'The innkeeper', 'Nobody in the village', 'The schoolmistress', 'Her brother']
VERB = ['watched', 'counted', 'remembered', 'mended', 'carried', 'ignored', 'painted', 'followed', 'doubted', 'questioned']
OBJ = ['the tide tables', 'a broken oar', 'the letters from the city', 'the last of the lamp oil', 'the bell on the pier', 'a map with no names', 'the sound of the mill', 'the ledger of debts', 'the crooked fence', 'a coat two sizes too big']
TAIL = ['before the fog came in', 'while the kettle sang', 'for the third time that week', 'without saying a word', 'as if it mattered', 'until the light failed', 'and then thought better of it', 'for reasons of his own', 'in the cold kitchen', 'on the morning of the fair']


def text(n):
    return '. '.join(f'{r.choice(SUBJ)} {r.choice(VERB)} {r.choice(OBJ)} {r.choice(TAIL)}' for _ in range(n)) + '.'


def sample(pos_head='', neg_heads=None, n_ctx=4):
    neg_heads = neg_heads or [''] * 5
    return {'ctx': text(n_ctx), 'pos': pos_head + text(6), 'negs': [h + text(r.randint(3, 8)) for h in neg_heads]}


corpus = {'pg19': {}, 'ao3': {}}


def put(part, book, i, s):
    lst = corpus[part].setdefault(book, [])
    while len(lst) <= i:
        lst.append(sample())
    lst[i] = s


# GoodAI's selection: its four solvable samples and three it leaves out, with chapter heads its cleanup reads.
put('ao3', '92666381', 1, sample(n_ctx=30))
put('ao3', '12653258', 1, sample('\t9. Chapter 12 ', ['\t9. Chapter 7 ', '\t9. ', '\t9. Chapter 31 ', '\t9. Chapter 7 and Chapter 7 again ', '\t9. Chapter 2 costs $2 '], n_ctx=40))
put('ao3', '90051444', 0, sample('\t6. Dvanáct ', ['\t6. Seventeen ', '\t6. Nine ', '\t6. Dvanáct ', '\t6. Élan ', '\t6. Nine-and-a-half '], n_ctx=120))
put('pg19', '47583370', 7, sample('\t9. Chapter 40 ', ['\t9. Chapter 41 ', '\t9. Chapter 4 ', '\t9. Chapter 400 ', '\t9. Chapter 39 ', '\t9. Chapter 1 '], n_ctx=60))
put('ao3', '23407469', 5, sample('\t8. no match here '))
put('pg19', '49539878', 0, sample())
put('ao3', '69011043', 2, sample())
# Others, in both parts (one id in both: the later part's sample wins, as in GoodAI's dict).
for book in ['10000001', '10000002', '55555555']:
    put('pg19', book, 1, sample(n_ctx=r.randint(5, 30)))
put('ao3', '55555555', 0, sample(n_ctx=10))
put('ao3', '55555555', 1, sample(n_ctx=12))
with open(sys.argv[1], 'w') as f:
    json.dump(corpus, f, ensure_ascii=False, indent=0)
    f.write('\n')
print(sum(len(v) for p in corpus.values() for v in p.values()), 'samples')
