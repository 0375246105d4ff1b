//! The minutes as PDF/A-2b, laid out from the same Markdown as the other formats: A4, DejaVu
//! Sans embedded (regular and bold), headings, paragraphs, bold labels, bullet lists, page
//! numbers. The text is the Markdown's, so what `pdftotext` extracts reads the same.
//!
//! krilla writes the PDF and checks it against PDF/A-2b; this module only breaks the text
//! into lines (measuring with the font's own advance widths) and lines into pages.

use krilla::{
    Document, SerializeSettings,
    configure::{Archival, ConfigurationBuilder},
    geom::Point,
    metadata::Metadata,
    page::PageSettings,
    text::{Font, TextDirection},
};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use skrifa::{FontRef, MetadataProvider, instance::Size, raw::TableProvider};

use super::Lang;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 60.0;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.4;
const INDENT: f32 = 14.0;

/// A run of text in one weight.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    text: String,
    bold: bool,
}

/// A block of the document: its runs, size, indent and the space before it.
#[derive(Debug, Clone, PartialEq)]
struct Block {
    runs: Vec<Run>,
    size: f32,
    indent: f32,
    bullet: bool,
    space_before: f32,
}

/// Measures text with a font's advance widths.
struct Measure<'a> {
    font: FontRef<'a>,
    upem: f32,
}

impl<'a> Measure<'a> {
    fn new(data: &'a [u8]) -> Result<Self, String> {
        let font = FontRef::new(data).map_err(|e| e.to_string())?;
        let upem = f32::from(font.head().map_err(|e| e.to_string())?.units_per_em());
        Ok(Self { font, upem })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::unscaled(), skrifa::instance::LocationRef::default());
        let units: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(self.upem / 2.0)
            })
            .sum();
        units / self.upem * size
    }
}

/// The blocks of `markdown`, as the minutes write it.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    let mut bold = 0usize;
    let mut lists = 0usize;
    let push = |current: &mut Option<Block>, out: &mut Vec<Block>| {
        if let Some(block) = current.take()
            && block.runs.iter().any(|r| !r.text.trim().is_empty())
        {
            out.push(block);
        }
    };
    let start = |size: f32, indent: f32, bullet: bool, space: f32| Block {
        runs: Vec::new(),
        size,
        indent,
        bullet,
        space_before: space,
    };
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                push(&mut current, &mut out);
                let size = if level == HeadingLevel::H1 {
                    17.0
                } else {
                    12.5
                };
                current = Some(start(size, 0.0, false, size));
                bold += 1;
            }
            Event::End(TagEnd::Heading(_)) => {
                bold = bold.saturating_sub(1);
                push(&mut current, &mut out);
            }
            // A paragraph inside a list item continues the item.
            Event::Start(Tag::Paragraph) if current.as_ref().is_none_or(|b| !b.runs.is_empty()) => {
                push(&mut current, &mut out);
                current = Some(start(BODY, INDENT * lists as f32, false, BODY * 0.6));
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                push(&mut current, &mut out);
            }
            Event::Start(Tag::List(_)) => lists += 1,
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Item) => {
                push(&mut current, &mut out);
                let indent = INDENT * lists.saturating_sub(1) as f32;
                current = Some(start(BODY, indent, true, BODY * 0.2));
            }
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                let block = current.get_or_insert_with(|| start(BODY, 0.0, false, BODY * 0.6));
                block.runs.push(Run {
                    text: text.into_string(),
                    bold: bold > 0,
                });
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = current.as_mut() {
                    block.runs.push(Run {
                        text: " ".into(),
                        bold: bold > 0,
                    });
                }
            }
            _ => {}
        }
    }
    push(&mut current, &mut out);
    out
}

/// One laid-out line: its runs and where it starts.
struct Line {
    runs: Vec<Run>,
    x: f32,
    size: f32,
    space_before: f32,
}

/// Breaks each block into lines no wider than the text column.
fn lines(blocks: &[Block], regular: &Measure<'_>, bold: &Measure<'_>) -> Vec<Line> {
    let column = PAGE_WIDTH - 2.0 * MARGIN;
    let mut out = Vec::new();
    for block in blocks {
        let bullet = if block.bullet { INDENT } else { 0.0 };
        let x = MARGIN + block.indent + bullet;
        let room = column - block.indent - bullet;
        let mut line: Vec<Run> = Vec::new();
        let mut used = 0.0;
        let mut first = true;
        let words = block.runs.iter().flat_map(|run| {
            run.text
                .split_inclusive(' ')
                .map(move |w| (w.to_owned(), run.bold))
        });
        for (word, is_bold) in words {
            let measure = if is_bold { bold } else { regular };
            let width = measure.width(&word, block.size);
            if used + measure.width(word.trim_end(), block.size) > room && !line.is_empty() {
                out.push(Line {
                    runs: std::mem::take(&mut line),
                    x,
                    size: block.size,
                    space_before: if first { block.space_before } else { 0.0 },
                });
                first = false;
                used = 0.0;
            }
            match line.last_mut() {
                Some(last) if last.bold == is_bold => last.text.push_str(&word),
                _ => line.push(Run {
                    text: word,
                    bold: is_bold,
                }),
            }
            used += width;
        }
        if !line.is_empty() {
            if block.bullet && first {
                line.insert(
                    0,
                    Run {
                        text: "• ".into(),
                        bold: false,
                    },
                );
            }
            out.push(Line {
                runs: line,
                x: if block.bullet && first { x - INDENT } else { x },
                size: block.size,
                space_before: if first { block.space_before } else { 0.0 },
            });
        }
    }
    out
}

/// The minutes' Markdown as a PDF/A-2b document titled `title`, dated `as_of` (the record's
/// last change): the same record gives the same bytes.
pub fn pdf(
    markdown: &str,
    title: &str,
    lang: Lang,
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, String> {
    use chrono::{Datelike, Timelike};
    let regular_measure = Measure::new(REGULAR)?;
    let bold_measure = Measure::new(BOLD)?;
    let regular = Font::new(REGULAR.into(), 0).ok_or("the regular font does not load")?;
    let bold = Font::new(BOLD.into(), 0).ok_or("the bold font does not load")?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| format!("{e:?}"))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(lang.tag().to_owned())
            .creator("samverkan".to_owned())
            .creation_date(
                krilla::metadata::DateTime::new(u16::try_from(as_of.year()).unwrap_or(1970))
                    .month(as_of.month() as u8)
                    .day(as_of.day() as u8)
                    .hour(as_of.hour() as u8)
                    .minute(as_of.minute() as u8)
                    .second(as_of.second() as u8)
                    .utc_offset_hour(0),
            )
            .document_id(
                sha2::Digest::finalize(sha2::Digest::chain_update(
                    <sha2::Sha256 as sha2::Digest>::new(),
                    markdown.as_bytes(),
                ))
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            ),
    );
    let laid = lines(&blocks(markdown), &regular_measure, &bold_measure);
    let page_settings =
        || PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("bad page size".to_owned());
    let mut pages: Vec<Vec<(f32, &Line)>> = vec![Vec::new()];
    let mut y = MARGIN;
    for line in &laid {
        let height = line.size * LEADING;
        let top = if pages.last().is_some_and(Vec::is_empty) {
            y
        } else {
            y + line.space_before
        };
        if top + height > PAGE_HEIGHT - MARGIN {
            pages.push(Vec::new());
            y = MARGIN;
        } else {
            y = top;
        }
        y += height;
        if let Some(page) = pages.last_mut() {
            page.push((y - line.size * 0.3, line));
        }
    }
    let count = pages.len();
    for (n, page_lines) in pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        for (baseline, line) in page_lines {
            let mut x = line.x;
            for run in &line.runs {
                let (font, measure) = if run.bold {
                    (&bold, &bold_measure)
                } else {
                    (&regular, &regular_measure)
                };
                surface.draw_text(
                    Point::from_xy(x, *baseline),
                    font.clone(),
                    line.size,
                    &run.text,
                    false,
                    TextDirection::Auto,
                );
                x += measure.width(&run.text, line.size);
            }
        }
        let footer = match lang {
            Lang::Sv => format!("Sida {} av {count}", n + 1),
            Lang::En => format!("Page {} of {count}", n + 1),
        };
        let width = regular_measure.width(&footer, 8.0);
        surface.draw_text(
            Point::from_xy((PAGE_WIDTH - width) / 2.0, PAGE_HEIGHT - MARGIN / 2.0),
            regular.clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_becomes_headings_paragraphs_and_list_items() {
        let md = "# Protokoll\n\n**Tid:** Fredagen\n\n**Närvarande:**\n\n- Anna, Växjö\n- Per\n";
        let b = blocks(md);
        assert_eq!(b.len(), 5, "{b:?}");
        assert_eq!(b[0].size, 17.0);
        assert!(b[1].runs[0].bold && !b[1].runs[1].bold);
        assert!(b[3].bullet && b[4].bullet);
    }

    #[test]
    fn a_long_text_fills_several_pages_and_is_pdf() {
        let paragraph =
            "Ordet går runt bordet och alla berättar om läget i sin kommun. ".repeat(40);
        let md = format!(
            "# Mötesanteckningar\n\n{}",
            format!("{paragraph}\n\n").repeat(12)
        );
        let at = chrono::DateTime::from_timestamp(1_638_000_000, 0).unwrap();
        let bytes = pdf(&md, "Mötesanteckningar", Lang::Sv, at).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(
            bytes,
            pdf(&md, "Mötesanteckningar", Lang::Sv, at).unwrap(),
            "reproducible"
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("pdfaid:part"), "PDF/A metadata");
        assert!(text.matches("/Type /Page\n").count() + text.matches("/Type/Page").count() >= 1);
    }
}
