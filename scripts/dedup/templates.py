"""Hard negatives: pairs of different stories that word shingling confuses.

Each family writes articles from one template, the way newsrooms do: a daily column or a press
release whose fixed text stays and whose names, dates and figures change; match reports and
market reports that differ in names and numbers; two different stories on one event that share
its facts and a quote. Two articles of one family are never copies of each other.

Families are split: the `tune` families were used to choose the threshold and the shingle size,
the `heldout` families only to report (they are written in the same spirit but share no text
with the tuned ones).
"""

import random

MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def rupiah(value):
    return f"Rp{value:,}".replace(",", ".")


def pick(rng, *options):
    return rng.choice(options)


# ---------------------------------------------------------------- tune families


def gold_price_id(rng):
    """A daily column: the state miner's gold price list (Indonesian)."""
    day, date, month = rng.choice(DAYS_ID), rng.randint(1, 28), rng.choice(MONTHS_ID)
    base = rng.randint(950, 1150) * 1000
    move = rng.randint(1, 15) * 1000
    up = rng.random() < 0.5
    buyback = base - rng.randint(90, 140) * 1000
    title = f"Harga Emas Antam Hari Ini {day}, {date} {month} {'Naik' if up else 'Turun'} {rupiah(move)}"
    sizes = [0.5, 1, 2, 3, 5, 10, 25, 50, 100]
    listing = "; ".join(f"{str(s).replace('.', ',')} gram: {rupiah(int(base * s * rng.uniform(1.0, 1.04)) // 1000 * 1000)}" for s in sizes)
    paragraphs = [
        f"Harga emas batangan PT Aneka Tambang Tbk (Antam) {'naik' if up else 'turun'} {rupiah(move)} per gram pada perdagangan hari ini, {day} ({date}/{MONTHS_ID.index(month) + 1}). Mengutip laman resmi Logam Mulia, harga emas Antam ukuran 1 gram kini dijual {rupiah(base)}, {'dari' if up else 'setelah'} sebelumnya {rupiah(base - move if up else base + move)}.",
        f"Sementara itu, harga pembelian kembali atau buyback emas Antam {pick(rng, 'ikut naik', 'ikut turun', 'tidak berubah')} dan berada di level {rupiah(buyback)} per gram. Harga buyback adalah harga yang dibayarkan Antam jika masyarakat menjual kembali emas miliknya.",
        f"Berikut daftar lengkap harga emas Antam hari ini: {listing}.",
        "Sesuai Peraturan Menteri Keuangan Nomor 34/PMK.10/2017, pembelian emas batangan dikenakan Pajak Penghasilan (PPh) Pasal 22 sebesar 0,45 persen bagi pemegang Nomor Pokok Wajib Pajak (NPWP) dan 0,9 persen bagi pembeli yang tidak memiliki NPWP. Setiap pembelian emas batangan disertai dengan bukti potong PPh 22.",
        "Adapun penjualan kembali emas batangan ke PT Antam Tbk dengan nominal lebih dari Rp10 juta dikenakan PPh 22 sebesar 1,5 persen untuk pemegang NPWP dan 3 persen untuk non-NPWP. PPh 22 atas transaksi buyback dipotong langsung dari total nilai buyback.",
        f"Harga emas di pasar global pada {pick(rng, 'pagi ini', 'siang ini', 'sore ini')} tercatat {pick(rng, 'menguat', 'melemah')} {rng.randint(1, 30)} dolar AS menjadi {rng.randint(1800, 2100)} dolar AS per troy ons, menurut data {pick(rng, 'Bloomberg', 'Reuters', 'Kitco')}.",
    ]
    return title, paragraphs


COMPANIES = [
    ("Norvale Systems", "NVLS", "Austin, Texas", "cloud security software"),
    ("Brightwell Therapeutics", "BRWT", "Cambridge, Massachusetts", "gene therapies for rare diseases"),
    ("Kestrel Logistics", "KSTL", "Memphis, Tennessee", "freight and warehousing services"),
    ("Solenne Energy", "SLNE", "Denver, Colorado", "utility-scale solar projects"),
]

SAFE_HARBOR = (
    "This press release contains forward-looking statements within the meaning of the Private "
    "Securities Litigation Reform Act of 1995, including statements regarding expected revenue, "
    "margins and the timing of product introductions. These statements are based on current "
    "expectations and are subject to risks and uncertainties that could cause actual results to "
    "differ materially, including competitive pressures, changes in customer demand, supply chain "
    "disruptions and the other risks described in the company's filings with the Securities and "
    "Exchange Commission. The company undertakes no obligation to update any forward-looking "
    "statement, except as required by law."
)


def earnings_release_en(rng):
    """A quarterly results press release: the company's safe-harbour and about text stay."""
    name, ticker, city, what = rng.choice(COMPANIES)
    quarter = pick(rng, "first", "second", "third", "fourth")
    year = rng.randint(2021, 2024)
    revenue = rng.randint(80, 900)
    growth = rng.randint(2, 35)
    eps = rng.randint(5, 180) / 100
    title = f"{name} Reports {quarter.title()} Quarter {year} Results"
    paragraphs = [
        f"{city.split(',')[0].upper()}, {rng.choice(MONTHS_EN)} {rng.randint(1, 28)}, {year} -- {name} (NASDAQ: {ticker}), a provider of {what}, today announced financial results for its {quarter} quarter ended {pick(rng, 'March 31', 'June 30', 'September 30', 'December 31')}, {year}.",
        f"Revenue for the quarter was ${revenue}.{rng.randint(0, 9)} million, {pick(rng, 'an increase', 'a decrease')} of {growth}% compared with the same quarter last year. Net income was ${rng.randint(3, 90)}.{rng.randint(0, 9)} million, or ${eps:.2f} per diluted share.",
        f"\"{pick(rng, 'We delivered another quarter of disciplined execution', 'Our teams executed well in a challenging market', 'Demand from our largest customers remained strong')},\" said {pick(rng, 'Laura Chen', 'Michael Ortiz', 'Priya Natarajan', 'David Kowalski')}, chief executive officer of {name}. \"{pick(rng, 'We are raising our outlook for the full year.', 'We remain confident in our long-term strategy.', 'We continue to invest in growth.')}\"",
        f"For the {pick(rng, 'next quarter', 'full year')}, the company expects revenue of between ${revenue + rng.randint(-20, 40)} million and ${revenue + rng.randint(41, 90)} million.",
        f"Conference Call: {name} will host a conference call today at {rng.randint(1, 5)}:{pick(rng, '00', '30')} p.m. Eastern Time to discuss the results. A live webcast of the call will be available on the investor relations section of the company's website, and a replay will be available for 30 days.",
        f"About {name}: {name} is a leading provider of {what}. Founded in {rng.choice([1998, 2004, 2011])} and headquartered in {city}, the company serves customers in more than 40 countries. For more information, visit the company's website.",
        f"Forward-Looking Statements: {SAFE_HARBOR}",
    ]
    return title, paragraphs


CLUBS_EN = ["Arsenal", "Chelsea", "Liverpool", "Everton", "Newcastle", "Brighton", "Aston Villa", "Fulham", "Brentford", "Wolves", "Leeds", "Burnley"]
PLAYERS_EN = ["Saka", "Havertz", "Salah", "Nunez", "Isak", "Watkins", "Mitrovic", "Toney", "Neto", "Calvert-Lewin", "Gordon", "Mbeumo", "Diaz", "Palmer", "Odegaard", "Bowen"]


def football_en(rng):
    """A match report from one template: teams, scorers, minutes and table change."""
    home, away = rng.sample(CLUBS_EN, 2)
    goals_home, goals_away = rng.randint(0, 4), rng.randint(0, 3)
    scorers = [f"{rng.choice(PLAYERS_EN)} ({rng.randint(3, 90)}')" for _ in range(goals_home + goals_away)]
    winner = home if goals_home > goals_away else away if goals_away > goals_home else None
    title = f"{home} {goals_home}-{goals_away} {away}: {'Points shared' if not winner else winner + ' take the points'}"
    paragraphs = [
        f"{home} {'beat' if goals_home > goals_away else 'lost to' if goals_home < goals_away else 'drew with'} {away} {goals_home}-{goals_away} in the Premier League on {rng.choice(DAYS_EN)} {pick(rng, 'afternoon', 'evening', 'night')} at {pick(rng, 'a packed stadium', 'a rain-soaked ground', 'a sold-out home ground')}.",
        f"Goals: {', '.join(scorers) if scorers else 'none'}. Attendance: {rng.randint(20, 60)},{rng.randint(100, 999)}.",
        f"{home} had {rng.randint(35, 65)}% of possession and {rng.randint(5, 20)} shots, {rng.randint(1, 9)} of them on target, while {away} managed {rng.randint(3, 15)} shots.",
        f"The result {pick(rng, 'lifts', 'leaves', 'keeps')} {winner or home} {rng.choice(['second', 'fourth', 'seventh', 'ninth', 'twelfth', 'fifteenth'])} in the table with {rng.randint(10, 60)} points from {rng.randint(10, 30)} matches.",
        f"\"{pick(rng, 'We showed great character today', 'It was a tough game but the players gave everything', 'We have to be more clinical in front of goal')},\" the {home} manager told reporters after the match. \"{pick(rng, 'Now we focus on the next game.', 'The table does not lie.', 'We will keep working.')}\"",
        f"{home} travel to {rng.choice(CLUBS_EN)} next {rng.choice(DAYS_EN)}, while {away} host {rng.choice(CLUBS_EN)}.",
    ]
    return title, paragraphs


def stocks_close_en(rng):
    """The daily market close: index levels, movers, the same background sentences."""
    up = rng.random() < 0.5
    dow = rng.randint(30000, 39000)
    title = f"Stock market today: Dow {'rises' if up else 'falls'} {rng.randint(20, 600)} points as investors weigh {pick(rng, 'inflation data', 'earnings', 'Fed comments', 'bond yields', 'oil prices')}"
    movers = rng.sample(["Apple", "Microsoft", "Nvidia", "Tesla", "Amazon", "Boeing", "Intel", "Pfizer", "Walmart", "Disney"], 3)
    paragraphs = [
        f"U.S. stocks closed {'higher' if up else 'lower'} on {rng.choice(DAYS_EN)} as investors weighed {pick(rng, 'fresh inflation data', 'a batch of corporate earnings', 'comments from Federal Reserve officials', 'rising Treasury yields')} and {pick(rng, 'the outlook for interest rates', 'signs of a cooling labor market', 'tensions in the Middle East', 'weak manufacturing data')}.",
        f"The Dow Jones Industrial Average {'rose' if up else 'fell'} {rng.randint(20, 600)} points, or {rng.randint(1, 199) / 100:.2f}%, to {dow:,}.{rng.randint(10, 99)}. The S&P 500 {'gained' if up else 'lost'} {rng.randint(1, 199) / 100:.2f}% to {rng.randint(3900, 5200):,}.{rng.randint(10, 99)}, and the Nasdaq Composite {'added' if up else 'dropped'} {rng.randint(1, 250) / 100:.2f}% to {rng.randint(11000, 16500):,}.{rng.randint(10, 99)}.",
        f"Shares of {movers[0]} {'jumped' if rng.random() < 0.5 else 'slid'} {rng.randint(1, 12)}% after {pick(rng, 'the company reported quarterly results', 'an analyst upgrade', 'a regulatory filing', 'news of a product delay')}, while {movers[1]} {pick(rng, 'rose', 'fell')} {rng.randint(1, 6)}% and {movers[2]} {pick(rng, 'edged up', 'edged down')} {rng.randint(1, 9) / 10:.1f}%.",
        f"The yield on the benchmark 10-year Treasury note {pick(rng, 'rose', 'fell')} to {rng.randint(300, 499) / 100:.2f}%. Brent crude {pick(rng, 'rose', 'fell')} {rng.randint(1, 30) / 10:.1f}% to ${rng.randint(70, 95)}.{rng.randint(10, 99)} a barrel.",
        "Investors are watching for signals on whether the Federal Reserve will keep interest rates at their highest level in more than two decades for longer than markets had expected, after a run of stronger-than-forecast economic data.",
        f"Trading volume on U.S. exchanges was {rng.randint(9, 14)}.{rng.randint(0, 9)} billion shares, compared with the {rng.randint(10, 13)}.{rng.randint(0, 9)} billion average over the last 20 trading days.",
    ]
    return title, paragraphs


def quake_pair_en(rng):
    """Two different stories on one earthquake: the breaking report and a later account of the
    relief effort. They share the facts and one official's quote, nothing else."""
    place = rng.choice(["West Sulawesi", "Lombok", "Cianjur", "Maluku", "Bengkulu", "Palu"])
    magnitude = rng.randint(52, 71) / 10
    dead, hurt = rng.randint(3, 90), rng.randint(20, 600)
    official = rng.choice(["Abdul Muhari", "Dwikorita Karnawati", "Suharyanto"])
    quote = f"\"{pick(rng, 'We are still collecting data from the affected villages', 'The number of victims may still rise as rescuers reach remote areas', 'We urge residents to stay away from damaged buildings because aftershocks are possible')},\" {official} said."
    first = (
        f"Magnitude {magnitude} earthquake strikes {place}, killing at least {dead}",
        [
            f"A magnitude {magnitude} earthquake struck {place} on {rng.choice(DAYS_EN)}, killing at least {dead} people and injuring {hurt}, Indonesia's disaster agency said.",
            f"The quake hit at a depth of {rng.randint(5, 40)} kilometres, {rng.randint(10, 80)} kilometres from the nearest town, the meteorology agency said. It did not trigger a tsunami warning.",
            quote,
            "Television footage showed collapsed houses, cracked roads and residents gathering in open fields. Power was cut in several districts.",
            "Indonesia sits on the Pacific Ring of Fire, where tectonic plates meet and earthquakes are frequent.",
        ],
    )
    second = (
        f"Aid slow to reach {place} villages days after quake",
        [
            f"Survivors of the earthquake that killed {dead} people in {place} said on {rng.choice(DAYS_EN)} they were running short of clean water and tents, as landslides blocked the roads to hillside villages.",
            f"\"{pick(rng, 'We have been sleeping outside for three nights', 'Nobody has come to our village yet', 'The children are sick and we have no medicine')},\" said {pick(rng, 'Siti', 'Rahmat', 'Wayan', 'Nur')}, a {rng.randint(25, 70)}-year-old farmer, standing beside the ruins of her house.",
            f"Officials said {hurt} people were treated for injuries and more than {rng.randint(2, 30)},000 had left their homes. Soldiers and volunteers were clearing the roads with heavy equipment.",
            quote,
            f"The government has pledged {rupiah(rng.randint(5, 90) * 1_000_000_000)} to rebuild homes and schools, and aid groups appealed for donations of blankets and food.",
        ],
    )
    return first, second


# ---------------------------------------------------------------- held-out families

CITIES_ID = ["Jakarta Pusat", "Jakarta Utara", "Bogor", "Depok", "Tangerang", "Bekasi", "Bandung", "Semarang", "Surabaya", "Yogyakarta", "Denpasar", "Medan", "Makassar"]
WEATHER_ID = ["cerah", "cerah berawan", "berawan", "hujan ringan", "hujan sedang", "hujan petir", "berawan tebal"]


def weather_id(rng):
    """A daily column: the weather agency's forecast for the cities (Indonesian)."""
    day, date, month = rng.choice(DAYS_ID), rng.randint(1, 28), rng.choice(MONTHS_ID)
    title = f"Prakiraan Cuaca BMKG {day}, {date} {month}: {rng.choice(CITIES_ID)} {rng.choice(WEATHER_ID).title()}"
    lines = "; ".join(f"{city} {rng.choice(WEATHER_ID)} {rng.randint(22, 26)}-{rng.randint(30, 35)} derajat Celsius" for city in CITIES_ID)
    paragraphs = [
        f"Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) memprakirakan cuaca di sebagian besar wilayah Indonesia pada {day} ({date}/{MONTHS_ID.index(month) + 1}) didominasi kondisi {rng.choice(WEATHER_ID)} pada pagi hari dan {rng.choice(WEATHER_ID)} pada siang hingga sore hari.",
        f"Berikut prakiraan cuaca kota-kota besar hari ini: {lines}.",
        "BMKG mengimbau masyarakat untuk mewaspadai potensi hujan dengan intensitas sedang hingga lebat yang dapat disertai kilat atau petir dan angin kencang, terutama pada sore dan malam hari. Masyarakat juga diminta memperbarui informasi cuaca melalui aplikasi InfoBMKG.",
        f"Sementara itu, tinggi gelombang di perairan selatan Jawa diprakirakan mencapai {rng.randint(15, 40) / 10:.1f} hingga {rng.randint(41, 60) / 10:.1f} meter. Nelayan dan operator kapal diminta berhati-hati.",
        "Prakiraan cuaca dapat berubah sewaktu-waktu mengikuti dinamika atmosfer. Informasi peringatan dini cuaca ekstrem diperbarui setiap tiga jam.",
    ]
    return title, paragraphs


PRESS_COMPANIES = [
    ("Halvorsen Marine", "Oslo", "offshore vessels and port equipment"),
    ("Quillon Health", "Toronto", "digital health records for clinics"),
    ("Tarragon Foods", "Chicago", "packaged foods and snacks"),
]


def company_news_en(rng):
    """One company's press releases about different things: the boilerplate stays."""
    name, city, what = rng.choice(PRESS_COMPANIES)
    person = rng.choice(["Anna Lindqvist", "Robert Hale", "Maria Santos", "Kenji Watanabe", "Elena Petrova"])
    news = rng.choice(["appointment", "product", "contract", "expansion"])
    if news == "appointment":
        title = f"{name} appoints {person} as {pick(rng, 'Chief Financial Officer', 'Chief Operating Officer', 'Head of Sales')}"
        body = [
            f"{name} today announced the appointment of {person} as {pick(rng, 'chief financial officer', 'chief operating officer', 'head of global sales')}, effective {rng.choice(MONTHS_EN)} {rng.randint(1, 28)}.",
            f"{person} joins from {pick(rng, 'a global consulting firm', 'a listed competitor', 'a private equity group')}, where {pick(rng, 'she', 'he')} spent {rng.randint(5, 20)} years leading finance and operations teams.",
        ]
    elif news == "product":
        title = f"{name} launches {pick(rng, 'next-generation', 'new', 'updated')} {pick(rng, 'platform', 'product line', 'service')}"
        body = [
            f"{name} today launched a new {pick(rng, 'platform', 'product line', 'service')} designed to help customers {pick(rng, 'cut costs', 'save time', 'meet new regulations')}.",
            f"The launch follows {rng.randint(2, 4)} years of development and pilots with {rng.randint(5, 40)} customers in {rng.randint(2, 9)} countries.",
        ]
    elif news == "contract":
        title = f"{name} wins {pick(rng, 'multi-year', 'record', 'new')} contract worth ${rng.randint(10, 500)} million"
        body = [
            f"{name} has been awarded a {rng.randint(2, 10)}-year contract worth ${rng.randint(10, 500)} million by {pick(rng, 'a national government', 'a major retailer', 'a regional operator')}.",
            f"Work under the contract will begin in the {pick(rng, 'first', 'second', 'third')} quarter and will create about {rng.randint(50, 400)} jobs.",
        ]
    else:
        title = f"{name} to open new facility in {pick(rng, 'Poland', 'Mexico', 'Vietnam', 'Kenya')}"
        body = [
            f"{name} will invest ${rng.randint(20, 300)} million in a new facility in {pick(rng, 'Poland', 'Mexico', 'Vietnam', 'Kenya')}, the company said today.",
            f"The site is expected to open in {rng.randint(2025, 2027)} and employ around {rng.randint(100, 900)} people.",
        ]
    quote = f"\"{pick(rng, 'This is an important step for our company', 'We are excited about the opportunities ahead', 'Our customers will benefit directly')},\" said the chief executive of {name}."
    paragraphs = body + [
        quote,
        f"About {name}: {name} is a leading supplier of {what}, headquartered in {city}. The company employs more than 3,000 people and serves customers in over 60 countries. Its shares are listed on the main market of the stock exchange.",
        "Cautionary statement: This announcement contains certain forward-looking statements. Such statements involve known and unknown risks, uncertainties and other factors which may cause the actual results, performance or achievements of the company to be materially different from any future results expressed or implied. Readers should not place undue reliance on forward-looking statements, which speak only as of the date of this announcement.",
        "Media contact: Corporate Communications, press office. Investor contact: Investor Relations.",
    ]
    return title, paragraphs


CLUBS_ID = ["Persib Bandung", "Persija Jakarta", "Arema FC", "Persebaya Surabaya", "PSM Makassar", "Bali United", "Borneo FC", "PSIS Semarang", "Persis Solo", "Madura United", "Dewa United", "Persita Tangerang"]
PLAYERS_ID = ["Ciro Alves", "David da Silva", "Marko Simic", "Witan Sulaeman", "Egy Maulana", "Ilija Spasojevic", "Yakob Sayuri", "Ramadhan Sananta", "Dendy Sulistyawan", "Marselino Ferdinan", "Matheus Pato", "Riko Simanjuntak"]


def liga1_id(rng):
    """A Liga 1 match report (Indonesian) from one template."""
    home, away = rng.sample(CLUBS_ID, 2)
    gh, ga = rng.randint(0, 4), rng.randint(0, 3)
    result = "menang" if gh > ga else "kalah" if gh < ga else "bermain imbang"
    title = f"Hasil Liga 1: {home} {result.title()} {gh}-{ga} atas {away}" if gh != ga else f"Hasil Liga 1: {home} Ditahan {away} {gh}-{ga}"
    scorers = ", ".join(f"{rng.choice(PLAYERS_ID)} (menit ke-{rng.randint(2, 90)})" for _ in range(gh + ga)) or "tidak ada"
    paragraphs = [
        f"{home} {result} {gh}-{ga} {'atas' if gh != ga else 'dengan'} {away} dalam lanjutan pekan ke-{rng.randint(1, 34)} Liga 1 di Stadion {pick(rng, 'Gelora Bandung Lautan Api', 'Patriot Candrabhaga', 'Kanjuruhan', 'Gelora Bung Tomo', 'Kapten I Wayan Dipta')}, {rng.choice(DAYS_ID)} ({rng.randint(1, 28)}/{rng.randint(1, 12)}) {pick(rng, 'sore', 'malam')}.",
        f"Gol-gol dalam pertandingan ini dicetak oleh {scorers}.",
        f"Sejak menit awal, {home} langsung tampil menekan dan menguasai jalannya laga. {home} mencatatkan {rng.randint(40, 65)} persen penguasaan bola dengan {rng.randint(6, 18)} tembakan, {rng.randint(2, 8)} di antaranya mengarah ke gawang.",
        f"Hasil ini membuat {home} {pick(rng, 'naik', 'bertahan', 'turun')} ke peringkat {rng.randint(1, 18)} klasemen sementara dengan {rng.randint(5, 60)} poin, sedangkan {away} berada di posisi {rng.randint(1, 18)}.",
        f"\"{pick(rng, 'Saya bangga dengan perjuangan pemain hari ini', 'Kami harus segera melakukan evaluasi', 'Pertandingan berjalan sangat ketat')},\" kata pelatih {home} dalam konferensi pers seusai pertandingan.",
        f"Pada pekan berikutnya, {home} akan bertandang ke markas {rng.choice(CLUBS_ID)}, sementara {away} menjamu {rng.choice(CLUBS_ID)}.",
    ]
    return title, paragraphs


def ihsg_close_id(rng):
    """The daily close of the Jakarta stock index and the rupiah (Indonesian)."""
    up = rng.random() < 0.5
    level = rng.randint(6500, 7500)
    title = f"IHSG Ditutup {'Menguat' if up else 'Melemah'} ke Level {level:,}".replace(",", ".") + f", Rupiah {pick(rng, 'Menguat', 'Melemah')}"
    stocks = rng.sample(["BBCA", "BBRI", "BMRI", "TLKM", "ASII", "GOTO", "ANTM", "UNVR", "ADRO", "BBNI"], 4)
    paragraphs = [
        f"Indeks Harga Saham Gabungan (IHSG) ditutup {'menguat' if up else 'melemah'} {rng.randint(1, 150) / 100:.2f} persen ke level {level:,}.{rng.randint(10, 99)} pada perdagangan {rng.choice(DAYS_ID)} ({rng.randint(1, 28)}/{rng.randint(1, 12)}).".replace(",", "."),
        f"Sepanjang hari, indeks bergerak di rentang {level - rng.randint(10, 60):,} hingga {level + rng.randint(10, 60):,}. Nilai transaksi mencapai Rp{rng.randint(7, 15)},{rng.randint(1, 9)} triliun dengan volume {rng.randint(15, 30)} miliar saham.",
        f"Saham-saham yang menjadi penggerak indeks antara lain {stocks[0]} yang {pick(rng, 'naik', 'turun')} {rng.randint(1, 7)} persen, {stocks[1]} {pick(rng, 'naik', 'turun')} {rng.randint(1, 5)} persen, serta {stocks[2]} dan {stocks[3]}.",
        f"Investor asing mencatatkan {pick(rng, 'beli bersih', 'jual bersih')} sebesar Rp{rng.randint(50, 900)} miliar di seluruh pasar.",
        f"Di pasar valuta asing, nilai tukar rupiah terhadap dolar AS ditutup {pick(rng, 'menguat', 'melemah')} {rng.randint(5, 90)} poin ke level Rp{rng.randint(15, 16)}.{rng.randint(100, 999)} per dolar AS.",
        "Analis menilai pergerakan pasar masih dipengaruhi arah kebijakan suku bunga bank sentral Amerika Serikat dan rilis data ekonomi domestik. Pelaku pasar diimbau tetap mencermati sentimen global dalam beberapa hari ke depan.",
    ]
    return title, paragraphs


def flood_pair_id(rng):
    """Two different stories on one flood (Indonesian): the agency's report and the residents'
    account; they share the facts and the agency's quote."""
    place = rng.choice(["Kabupaten Bandung", "Kota Bekasi", "Kabupaten Demak", "Kota Medan", "Kabupaten Gowa", "Kota Semarang"])
    homes = rng.randint(300, 9000)
    evac = rng.randint(100, 5000)
    spokes = rng.choice(["Abdul Muhari", "Raditya Jati"])
    quote = f"\"{pick(rng, 'Tim gabungan masih melakukan evakuasi warga yang terjebak banjir', 'Kami mengimbau warga di bantaran sungai untuk tetap waspada', 'Ketinggian air mulai surut namun potensi hujan masih tinggi')},\" kata {spokes}."
    first = (
        f"Banjir Rendam {homes} Rumah di {place}, {evac} Warga Mengungsi",
        [
            f"Banjir merendam sedikitnya {homes} rumah di {place} setelah hujan deras mengguyur wilayah itu sejak {rng.choice(DAYS_ID)} malam, kata Badan Nasional Penanggulangan Bencana (BNPB).",
            f"Ketinggian air mencapai {rng.randint(30, 200)} sentimeter di sejumlah permukiman. Sebanyak {evac} warga mengungsi ke masjid, sekolah dan balai desa.",
            quote,
            f"BNPB mencatat banjir melanda {rng.randint(3, 15)} kecamatan. Tidak ada korban jiwa yang dilaporkan hingga {pick(rng, 'pagi', 'siang', 'sore')} ini.",
            "Memasuki puncak musim hujan, BNPB meminta pemerintah daerah menyiagakan personel dan peralatan serta memastikan saluran air tidak tersumbat.",
        ],
    )
    second = (
        f"Cerita Warga {place} Bertahan di Pengungsian",
        [
            f"Sudah {rng.randint(2, 6)} hari {pick(rng, 'Siti', 'Ahmad', 'Sumarni', 'Joko')} bersama keluarganya tinggal di tenda pengungsian setelah rumah mereka di {place} terendam banjir.",
            f"\"{pick(rng, 'Barang-barang kami tidak sempat diselamatkan', 'Anak-anak mulai batuk dan demam', 'Kami butuh selimut dan air bersih')},\" ujarnya sambil menunjuk sisa lumpur di lantai rumahnya.",
            f"Menurut BNPB, {evac} warga masih mengungsi dan {homes} rumah terdampak. Dapur umum didirikan relawan di {rng.randint(2, 9)} titik.",
            quote,
            f"Pemerintah daerah menjanjikan bantuan {rupiah(rng.randint(1, 9) * 1_000_000)} bagi setiap keluarga yang rumahnya rusak berat.",
        ],
    )
    return first, second


# family name -> (split, negative kind, language, generator, pair generator?)
FAMILIES = {
    "gold_price_id": ("tune", "template", "ind", gold_price_id),
    "earnings_release_en": ("tune", "template", "eng", earnings_release_en),
    "football_en": ("tune", "sports", "eng", football_en),
    "stocks_close_en": ("tune", "market", "eng", stocks_close_en),
    "quake_pair_en": ("tune", "same_event", "eng", quake_pair_en),
    "weather_id": ("heldout", "template", "ind", weather_id),
    "company_news_en": ("heldout", "template", "eng", company_news_en),
    "liga1_id": ("heldout", "sports", "ind", liga1_id),
    "ihsg_close_id": ("heldout", "market", "ind", ihsg_close_id),
    "flood_pair_id": ("heldout", "same_event", "ind", flood_pair_id),
}

PAIR_FAMILIES = {"quake_pair_en", "flood_pair_id"}


def negative_pair(family, rng):
    """Two different articles of one family: ((title, paragraphs), (title, paragraphs))."""
    generator = FAMILIES[family][3]
    if family in PAIR_FAMILIES:
        return generator(rng)
    first = generator(rng)
    while True:
        second = generator(random.Random(rng.random()))
        if second != first:
            return first, second
