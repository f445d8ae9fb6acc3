//! Names drawn from the naming traditions of an English town, with the
//! nicknames, transliteration variants and misspellings agencies record.
//! All names are common given and family names; every person is synthetic.

use rand::Rng;
use rand::seq::IndexedRandom;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tradition {
    WhiteBritish,
    SouthAsian,
    EasternEuropean,
    African,
    Caribbean,
    Other,
}

impl Tradition {
    /// Shares of the town's households.
    pub const WEIGHTS: &'static [(Tradition, f64)] = &[
        (Tradition::WhiteBritish, 0.60),
        (Tradition::SouthAsian, 0.17),
        (Tradition::EasternEuropean, 0.08),
        (Tradition::African, 0.07),
        (Tradition::Caribbean, 0.04),
        (Tradition::Other, 0.04),
    ];

    pub fn pick(rng: &mut impl Rng) -> Tradition {
        let mut x: f64 = rng.random();
        for (t, w) in Self::WEIGHTS {
            if x < *w {
                return *t;
            }
            x -= w;
        }
        Tradition::Other
    }

    pub fn ethnicity(self) -> &'static str {
        match self {
            Tradition::WhiteBritish => "White British",
            Tradition::SouthAsian => "Asian British",
            Tradition::EasternEuropean => "White Other",
            Tradition::African => "Black African",
            Tradition::Caribbean => "Black Caribbean",
            Tradition::Other => "Other",
        }
    }

    fn pools(
        self,
    ) -> (
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    ) {
        match self {
            Tradition::WhiteBritish => (WB_F, WB_M, WB_FAMILY),
            Tradition::SouthAsian => (SA_F, SA_M, SA_FAMILY),
            Tradition::EasternEuropean => (EE_F, EE_M, EE_FAMILY),
            Tradition::African => (AF_F, AF_M, AF_FAMILY),
            Tradition::Caribbean => (CA_F, CA_M, CA_FAMILY),
            Tradition::Other => (OT_F, OT_M, OT_FAMILY),
        }
    }

    pub fn given(self, female: bool, rng: &mut impl Rng) -> &'static str {
        let (f, m, _) = self.pools();
        pick(if female { f } else { m }, rng)
    }

    pub fn family(self, rng: &mut impl Rng) -> &'static str {
        pick(self.pools().2, rng)
    }
}

/// Names are not equally common: the pools are in rough order of
/// popularity and drawn with Zipf-like weights, so that a few names (the
/// town's Jacks and Smiths) are shared by many people, as in life.
fn pick(pool: &'static [&'static str], rng: &mut impl Rng) -> &'static str {
    if pool.is_empty() {
        return "Sam";
    }
    let weights: f64 = (0..pool.len()).map(|i| 1.0 / (i as f64 + 8.0)).sum();
    let mut x = rng.random::<f64>() * weights;
    for (i, name) in pool.iter().enumerate() {
        let w = 1.0 / (i as f64 + 8.0);
        if x < w {
            return name;
        }
        x -= w;
    }
    pool[pool.len() - 1]
}

/// A middle name, drawn from the same tradition.
pub fn middle(tradition: Tradition, female: bool, rng: &mut impl Rng) -> &'static str {
    const WB_MID_F: &[&str] = &[
        "Louise",
        "Marie",
        "Ann",
        "Jane",
        "Elizabeth",
        "Rose",
        "May",
        "Grace",
    ];
    const WB_MID_M: &[&str] = &["James", "John", "Lee", "Paul", "David", "Michael", "Thomas"];
    match tradition {
        Tradition::WhiteBritish | Tradition::Caribbean => {
            pick(if female { WB_MID_F } else { WB_MID_M }, rng)
        }
        other => other.given(female, rng),
    }
}

const WB_F: &[&str] = &[
    "Kayleigh",
    "Chloe",
    "Jessica",
    "Rebecca",
    "Samantha",
    "Emily",
    "Lauren",
    "Hannah",
    "Sophie",
    "Charlotte",
    "Amy",
    "Megan",
    "Bethany",
    "Danielle",
    "Stacey",
    "Natalie",
    "Gemma",
    "Katie",
    "Abigail",
    "Olivia",
    "Ruby",
    "Grace",
    "Ellie",
    "Holly",
    "Jade",
    "Leanne",
    "Kirsty",
    "Victoria",
    "Elizabeth",
    "Jennifer",
    "Courtney",
    "Shannon",
    "Paige",
    "Chantelle",
    "Amber",
    "Lucy",
    "Georgia",
    "Molly",
    "Jasmine",
    "Kimberley",
];
const WB_M: &[&str] = &[
    "Jack",
    "Thomas",
    "Daniel",
    "James",
    "Joshua",
    "Ryan",
    "Liam",
    "Connor",
    "Callum",
    "Jordan",
    "Luke",
    "Matthew",
    "Benjamin",
    "Samuel",
    "Harry",
    "Oliver",
    "Jake",
    "Lewis",
    "Kieran",
    "Nathan",
    "Michael",
    "Christopher",
    "Anthony",
    "Robert",
    "William",
    "Jamie",
    "Bradley",
    "Dean",
    "Craig",
    "Lee",
    "Stephen",
    "Paul",
    "Mark",
    "Gary",
    "Darren",
    "Wayne",
    "Shane",
    "Kyle",
    "Reece",
    "Alfie",
];
const WB_FAMILY: &[&str] = &[
    "O'Neill",
    "McDonald",
    "O'Brien",
    "McCarthy",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Harris",
    "Martin",
    "Baker",
    "Kelly",
    "Walsh",
    "Murphy",
    "Lee",
    "Shaw",
    "Holt",
    "Ashworth",
    "Butterworth",
    "Haworth",
    "Ogden",
    "Lord",
    "Fielding",
    "Whitehead",
    "Greenwood",
    "Kershaw",
    "Schofield",
    "Crossley",
    "Barlow",
    "Heywood",
    "Pilling",
];
const SA_F: &[&str] = &[
    "Aisha", "Fatima", "Amina", "Zainab", "Maryam", "Sana", "Hina", "Nadia", "Samina", "Rukhsana",
    "Shazia", "Ayesha", "Sadia", "Noor", "Iqra", "Hafsa", "Priya", "Anjali", "Sunita", "Nasreen",
    "Shabana", "Farzana", "Rabia", "Saima", "Mehwish", "Nusrat", "Tahmina", "Sharmin", "Ruksana",
    "Yasmin",
];
const SA_M: &[&str] = &[
    "Mohammed", "Imran", "Tariq", "Asif", "Kashif", "Zubair", "Adil", "Bilal", "Hamza", "Usman",
    "Faisal", "Irfan", "Shahid", "Arif", "Nadeem", "Sajid", "Waqas", "Abdul", "Ibrahim", "Yusuf",
    "Raj", "Sanjay", "Amir", "Khalid", "Naveed", "Rizwan", "Shabir", "Aftab", "Jamil", "Ahmed",
];
const SA_FAMILY: &[&str] = &[
    "Khan", "Hussain", "Ahmed", "Ali", "Begum", "Iqbal", "Akhtar", "Mahmood", "Rashid", "Shah",
    "Aziz", "Butt", "Chaudhry", "Malik", "Qureshi", "Raza", "Siddiqui", "Sheikh", "Patel",
    "Sharma", "Miah", "Uddin", "Rahman", "Islam", "Bibi", "Nawaz", "Anwar", "Yousaf", "Mirza",
    "Hanif",
];
const EE_F: &[&str] = &[
    "Zofia",
    "Natalia",
    "Agnieszka",
    "Katarzyna",
    "Aleksandra",
    "Monika",
    "Ioana",
    "Andreea",
    "Elena",
    "Daria",
    "Oliwia",
    "Wiktoria",
    "Kamila",
    "Paulina",
    "Magdalena",
    "Alina",
    "Bianca",
    "Simona",
];
const EE_M: &[&str] = &[
    "Jakub",
    "Kacper",
    "Mateusz",
    "Piotr",
    "Tomasz",
    "Lukasz",
    "Andrei",
    "Mihai",
    "Ionut",
    "Bogdan",
    "Marek",
    "Pawel",
    "Krzysztof",
    "Dawid",
    "Adrian",
    "Florin",
    "Vasile",
    "Szymon",
];
const EE_FAMILY: &[&str] = &[
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Wojcik",
    "Kaminski",
    "Lewandowski",
    "Zielinski",
    "Popescu",
    "Ionescu",
    "Stan",
    "Dumitru",
    "Mazur",
    "Krawczyk",
    "Dabrowski",
    "Popa",
    "Constantin",
    "Horvath",
    "Nagy",
];
const AF_F: &[&str] = &[
    "Chiamaka", "Ngozi", "Adaeze", "Abena", "Akosua", "Amara", "Folake", "Blessing", "Precious",
    "Faith", "Hodan", "Ayan", "Fadumo", "Nneka", "Efua", "Grace",
];
const AF_M: &[&str] = &[
    "Chidi",
    "Emeka",
    "Kwame",
    "Kofi",
    "Oluwaseun",
    "Tunde",
    "Femi",
    "Kwabena",
    "Yaw",
    "Abdi",
    "Mohamed",
    "Samuel",
    "Daniel",
    "Ikechukwu",
    "Musa",
    "Ahmed",
];
const AF_FAMILY: &[&str] = &[
    "Okafor", "Adeyemi", "Mensah", "Boateng", "Owusu", "Osei", "Eze", "Nwosu", "Adebayo",
    "Okonkwo", "Asante", "Farah", "Hassan", "Warsame", "Abdi", "Oduya",
];
const CA_F: &[&str] = &[
    "Tanisha",
    "Keisha",
    "Shanice",
    "Jodie",
    "Kayla",
    "Latoya",
    "Monique",
    "Chantal",
    "Jada",
    "Tiana",
    "Shantelle",
    "Aaliyah",
];
const CA_M: &[&str] = &[
    "Marcus", "Tyrone", "Jermaine", "Andre", "Dwayne", "Kareem", "Leon", "Delroy", "Winston",
    "Jerome", "Curtis", "Devon",
];
const CA_FAMILY: &[&str] = &[
    "Campbell", "Clarke", "Francis", "Henry", "Grant", "Bailey", "Thomas", "Brown", "Morgan",
    "Gordon", "Reid", "Stewart",
];
const OT_F: &[&str] = &[
    "Mei", "Linh", "Yasmin", "Leyla", "Sara", "Maria", "Ana", "Hana", "Rosa", "Dilan",
];
const OT_M: &[&str] = &[
    "Wei", "Minh", "Omar", "Ali", "Carlos", "Luis", "Kemal", "Arman", "Reza", "Daniel",
];
const OT_FAMILY: &[&str] = &[
    "Chen",
    "Nguyen",
    "Wang",
    "Li",
    "Yilmaz",
    "Demir",
    "Silva",
    "Santos",
    "Rodriguez",
    "Karimi",
    "Hosseini",
    "Tran",
];

/// Nicknames and short forms practitioners record.
const NICKNAMES: &[(&str, &[&str])] = &[
    ("Kayleigh", &["Kay", "Kayla"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Samantha", &["Sam", "Sammy"]),
    ("Jessica", &["Jess", "Jessie"]),
    ("Elizabeth", &["Liz", "Beth", "Lizzie"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Jennifer", &["Jenny", "Jen"]),
    ("Danielle", &["Dani"]),
    ("Natalie", &["Nat"]),
    ("Abigail", &["Abbie", "Abby"]),
    ("Charlotte", &["Charlie", "Lottie"]),
    ("Bethany", &["Beth"]),
    ("Stacey", &["Stace"]),
    ("Kimberley", &["Kim"]),
    ("Olivia", &["Liv"]),
    ("Katie", &["Kate"]),
    ("Courtney", &["Court"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Daniel", &["Dan", "Danny"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("Joshua", &["Josh"]),
    ("Matthew", &["Matt"]),
    ("Benjamin", &["Ben"]),
    ("Samuel", &["Sam"]),
    ("Michael", &["Mike", "Mikey"]),
    ("Christopher", &["Chris"]),
    ("Anthony", &["Tony", "Ant"]),
    ("Robert", &["Rob", "Bob"]),
    ("William", &["Will", "Bill"]),
    ("Nathan", &["Nate"]),
    ("Stephen", &["Steve"]),
    ("Mohammed", &["Mo", "Moh"]),
    ("Ibrahim", &["Ibby"]),
    ("Abdul", &["Abz"]),
    ("Aleksandra", &["Ola"]),
    ("Katarzyna", &["Kasia"]),
    ("Magdalena", &["Magda"]),
    ("Jakub", &["Kuba"]),
    ("Oluwaseun", &["Seun"]),
    ("Ikechukwu", &["Ike"]),
    ("Adaeze", &["Ada"]),
    ("Tanisha", &["Tish"]),
    ("Chloe", &["Clo"]),
    ("Lauren", &["Loz", "Laurie"]),
    ("Hannah", &["Han"]),
    ("Sophie", &["Soph"]),
    ("Megan", &["Meg"]),
    ("Gemma", &["Gem"]),
    ("Amy", &["Ames"]),
    ("Jasmine", &["Jas", "Jazz"]),
    ("Georgia", &["George"]),
    ("Leanne", &["Lee"]),
    ("Jade", &["Jadey"]),
    ("Shannon", &["Shan"]),
    ("Natalia", &["Nat"]),
    ("Zofia", &["Zosia"]),
    ("Aleksandra", &["Ola", "Ala"]),
    ("Fatima", &["Fati"]),
    ("Zainab", &["Zee"]),
    ("Maryam", &["Mari"]),
    ("Nadia", &["Nad"]),
    ("Precious", &["Presh"]),
    ("Jack", &["Jacky"]),
    ("Joshua", &["Josh"]),
    ("Callum", &["Cal"]),
    ("Connor", &["Con"]),
    ("Jordan", &["Jord"]),
    ("Oliver", &["Ollie", "Olly"]),
    ("Harry", &["H"]),
    ("Alfie", &["Alf"]),
    ("Bradley", &["Brad"]),
    ("Kieran", &["Kez"]),
    ("Imran", &["Immy"]),
    ("Hamza", &["Ham"]),
    ("Bilal", &["Bill"]),
    ("Usman", &["Ozzy"]),
    ("Jakub", &["Kuba", "Jacob"]),
    ("Mateusz", &["Matt"]),
    ("Marcus", &["Marc"]),
    ("Jermaine", &["Jay"]),
];

/// Transliteration and spelling variants of the same name.
const VARIANTS: &[&[&str]] = &[
    &["Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed"],
    &["Hussain", "Hussein", "Husain", "Hussan"],
    &["Ahmed", "Ahmad", "Ahmet"],
    &["Aisha", "Ayesha", "Aysha"],
    &["Fatima", "Fatimah", "Fatma"],
    &["Yusuf", "Yousuf", "Yousaf"],
    &["Chaudhry", "Choudhury", "Chowdhury"],
    &["Rahman", "Rehman"],
    &["Qureshi", "Kureshi"],
    &["Iqbal", "Ikbal"],
    &["Smith", "Smyth", "Smithe"],
    &["Kayleigh", "Kayley", "Kaylee", "Caleigh"],
    &["Leanne", "Lianne", "Leann"],
    &["Stacey", "Stacy", "Staci"],
    &["Zofia", "Sofia", "Zophia"],
    &["Wojcik", "Wojcick", "Voycik"],
    &["Wisniewski", "Wisnewski"],
    &["Lukasz", "Lucas"],
    &["Mensah", "Mensa"],
    &["Osei", "Osie"],
    &["Clarke", "Clark"],
    &["Gemma", "Jemma"],
    &["Jade", "Jayde"],
    &["Chantelle", "Shantelle", "Chantel"],
    &["Shannon", "Shanon"],
    &["Megan", "Meghan", "Meagan"],
    &["Jordan", "Jordon"],
    &["Kieran", "Kieron", "Ciaran"],
    &["Callum", "Calum"],
    &["Reece", "Rhys", "Reese"],
    &["O'Neill", "ONeill", "O Neill", "O'Neil"],
    &["O'Brien", "OBrien", "O'Brian"],
    &["McDonald", "MacDonald", "Mcdonald"],
    &["McCarthy", "MacCarthy", "Mccarthy"],
];

/// Street names the adults of concern go by.
pub const STREET_NAMES: &[&str] = &[
    "Bash", "Tiz", "Boss", "Kash", "Daddy", "Jay", "Ricky", "Smiley", "Bubbles", "Chinese", "Taxi",
    "Mad Dog", "Saj", "Ace", "Zed", "Kingy", "Lucky", "Bruv", "Uncle", "Shorty",
];

/// A nickname for `given`, if it has one.
pub fn nickname(given: &str, rng: &mut impl Rng) -> Option<&'static str> {
    NICKNAMES
        .iter()
        .find(|(n, _)| *n == given)
        .and_then(|(_, nicks)| nicks.choose(rng).copied())
}

/// Another spelling of `name`, if one is known.
pub fn variant(name: &str, rng: &mut impl Rng) -> Option<&'static str> {
    VARIANTS
        .iter()
        .find(|group| group.contains(&name))
        .and_then(|group| {
            let others: Vec<&&str> = group.iter().filter(|v| **v != name).collect();
            others.choose(rng).map(|v| **v)
        })
}

/// A typing error: a dropped, doubled, swapped or wrong letter.
pub fn misspell(name: &str, rng: &mut impl Rng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 4 {
        return name.to_string();
    }
    // Keep the first letter: people rarely get it wrong, and it makes the
    // task realistic rather than impossible.
    let i = rng.random_range(1..chars.len());
    let mut out = chars.clone();
    match rng.random_range(0..4) {
        0 => {
            out.remove(i);
        }
        1 => out.insert(i, chars[i]),
        2 if i + 1 < chars.len() => out.swap(i, i + 1),
        _ => {
            const VOWELS: &[char] = &['a', 'e', 'i', 'o', 'u', 'y'];
            let c = chars[i];
            out[i] = if VOWELS.contains(&c.to_ascii_lowercase()) {
                *VOWELS.choose(rng).unwrap_or(&'e')
            } else {
                *['n', 'm', 'r', 'l', 't', 's', 'h']
                    .choose(rng)
                    .unwrap_or(&'n')
            };
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn helpers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert!(nickname("Rebecca", &mut rng).is_some());
        assert!(nickname("Zz", &mut rng).is_none());
        let v = variant("Mohammed", &mut rng).unwrap();
        assert_ne!(v, "Mohammed");
        for _ in 0..100 {
            let m = misspell("Kayleigh", &mut rng);
            assert!(m.starts_with('K'));
        }
        assert_eq!(misspell("Al", &mut rng), "Al");
    }
}
