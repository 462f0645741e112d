() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const right = article.getBoundingClientRect().right;
  const found = [];
  const describe = (el) => {
    const text = (el.innerText || el.getAttribute('alt') || '').trim().split('\n')[0].slice(0, 70);
    return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: "${text}"`;
  };
  for (const el of article.querySelectorAll('pre, .highlight, .cell_output, .output, mjx-container, table, img, .math, .MathJax, div.cell')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const scrolls = el.scrollWidth > el.clientWidth + 2 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const past = box.right > right + 2;
    if (scrolls || past) found.push(`${describe(el)} (${scrolls ? 'scrolls ' + (el.scrollWidth - el.clientWidth) + ' px' : 'past the column by ' + Math.round(box.right - right) + ' px'})`);
  }
  return [...new Set(found)];
}
