//! Swedish words for the synthetic record, drawn with a skew (the first words of each list are
//! common, the last rare), so that search meets terms of every frequency.

/// Topics of decisions and agenda items.
pub const TOPICS: &[&str] = &[
    "kontaktvägar",
    "handlingsplan",
    "uppföljning",
    "samverkan",
    "barnkonventionen",
    "tandhälsa",
    "skolnärvaro",
    "psykisk hälsa",
    "föräldrastöd",
    "våld i nära relationer",
    "socialtjänst",
    "elevhälsa",
    "förskola",
    "ungdomsmottagning",
    "missbruk",
    "fritid",
    "idrottsföreningar",
    "polisens arbete",
    "kommunikationsplan",
    "nyhetsbrev",
    "internat",
    "forskningsstöd",
    "utvärdering",
    "indikatorer",
    "finansiering",
    "medfinansiering",
    "kompetensutveckling",
    "digital samverkan",
    "ledningsgrupp",
    "arbetsgrupp",
    "regional utvecklingsstrategi",
    "folkhälsa",
    "nätverk",
    "barnrättsombud",
    "SIP-samordning",
    "familjecentral",
    "hemmasittare",
    "läxhjälp",
    "lovaktiviteter",
    "sommarjobb",
    "kulturskola",
    "bibliotek",
    "språkutveckling",
    "nyanlända",
    "tolkstöd",
    "boendestöd",
    "familjehem",
    "placeringar",
    "öppenvård",
    "kriminalitet",
    "brottsförebyggande",
    "trygghetsvandring",
    "skolsköterska",
    "kurator",
    "vårdnadshavare",
    "barnhälsovård",
    "mödrahälsovård",
    "logoped",
    "neuropsykiatri",
    "autismspektrum",
    "adhd-utredning",
];

/// Verbs and phrases of decision wording.
pub const PHRASES: &[&str] = &[
    "styrgruppen beslutar att",
    "godkänna",
    "ge i uppdrag till",
    "återrapportera till",
    "ta fram",
    "fastställa",
    "notera informationen om",
    "avsätta medel för",
    "fortsätta arbetet med",
    "bjuda in",
    "utse",
    "bordlägga",
    "remittera",
    "följa upp",
    "sammanställa",
    "samordna",
    "förankra",
    "utreda",
    "pröva",
    "införa",
    "avveckla",
    "förlänga",
    "revidera",
    "komplettera",
    "presentera",
    "konkretisera",
    "prioritera",
];

/// Municipality names of Kronoberg and beyond, for titles.
pub const PLACES: &[&str] = &[
    "Växjö",
    "Ljungby",
    "Alvesta",
    "Älmhult",
    "Markaryd",
    "Tingsryd",
    "Uppvidinge",
    "Lessebo",
    "Kalmar",
    "Jönköping",
    "Karlskrona",
    "Halmstad",
    "Värnamo",
    "Osby",
    "Olofström",
];

/// A small deterministic generator (SplitMix64): the same seed gives the same record.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of `words`, the first ones far more often than the last.
    pub fn skewed<'a>(&mut self, words: &[&'a str]) -> &'a str {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let i = ((u * u * u) * words.len() as f64) as usize;
        words[i.min(words.len() - 1)]
    }

    /// A sentence of `n` skewed words.
    pub fn sentence(&mut self, n: usize) -> String {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(if i % 3 == 0 {
                self.skewed(PHRASES)
            } else {
                self.skewed(TOPICS)
            });
        }
        let mut text = out.join(" ");
        if let Some(first) = text.get(..1) {
            text = format!("{}{}.", first.to_uppercase(), &text[1..]);
        }
        text
    }
}
